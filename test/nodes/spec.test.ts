import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { BaseNode, Consecutor, ConsecutionError, defineNode, map, node, offload } from 'consecution';
import { collect } from 'consecution/testing';

const process = (x: number) => x;

/** What `f` throws. */
function thrown(f: () => unknown): ConsecutionError {
  try {
    f();
  } catch (e) {
    return e as ConsecutionError;
  }
  throw new Error('did not throw');
}

describe('a node spec with a key it does not know', () => {
  it('is refused at once, naming the key, the known ones and the one it likely meant', () => {
    // As JavaScript would pass it: TypeScript already refuses the excess key in a literal.
    const e = thrown(() => node('geocode', { concurency: 8, process } as never));
    expect(e).toMatchObject({ code: 'OPTIONS_INVALID', node: 'geocode' });
    expect(e.message).toBe(
      'unknown node "geocode" option concurency (8); known options: name, concurrency, timeoutMs, retries, process, end; did you mean concurrency?',
    );
  });

  it('suggests nothing when no key is close', () => {
    expect(thrown(() => node({ name: 'paint', colour: 'red', process } as never)).message).toBe(
      'unknown node "paint" option colour ("red"); known options: name, concurrency, timeoutMs, retries, process, end',
    );
  });

  it('is refused by defineNode() too, the spec an offloaded node is made of', () => {
    expect(() => defineNode({ name: 'score', retires: 2, process } as never)).toThrow(
      /^unknown node "score" option retires \(2\); known options: .*; did you mean retries\?$/,
    );
    expect(() => defineNode({ name: 'score', retries: 2, process })).not.toThrow();
  });

  it('but a class-based node keeps its state in fields of its own, and those are not options', async () => {
    class Tally extends BaseNode<string, string> {
      readonly concurrency = 2;
      private seen = 0;
      protected readonly prefix: string;
      constructor(prefix: string) {
        super();
        this.prefix = prefix;
      }
      process(s: string) {
        this.seen++;
        return `${this.prefix}${s}${this.seen}`;
      }
    }
    const { values, report } = await collect(node(new Tally('>')), ['a', 'b']);
    expect(values).toEqual(['>a1', '>b2']);
    expect(Object.keys(report.nodes)).toEqual(['Tally']);
  });
});

describe('an unknown option of the Consecutor or of offload()', () => {
  it('says which known option it likely meant', () => {
    expect(() => new Consecutor(map(process), { maxPendng: 5 } as never)).toThrow(
      /^unknown Consecutor option maxPendng \(5\); known options: guarantee, .*; did you mean maxPending\?$/,
    );
    expect(() => pipe(offload('./score.js', { paralellism: 4 } as never))).toThrow(/; did you mean parallelism\?$/);
  });
});
