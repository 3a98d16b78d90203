import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { chunk, ConsecutionError, map, filter, check, flatMap, partition, reduce, scan, describe as describeGraph } from 'consecution';
import { collect, runNode } from 'consecution/testing';

describe('map', () => {
  it('transforms each value and passes the anchor on with no acker traffic', async () => {
    const { values, anchors } = await runNode(map((x: number) => x * 2), [1, 2, 3]);
    expect(values).toEqual([2, 4, 6]);
    for (const a of anchors) {
      expect(a.adds).toBe(0);
      expect(a.acks).toBe(1); // the test harness acked the output, nothing else did
      expect(a.complete).toBe(true);
    }
  });

  it('fails the item (not the run) when fn throws, naming the node and the item', async () => {
    const { values, report } = await collect(
      map('half', (x: number) => {
        if (x === 2) throw new Error('two is bad');
        return x / 2;
      }),
      [1, 2, 3],
    );
    expect(values).toEqual([0.5, 1.5]);
    expect(report.completed).toBe(2);
    expect(report.deadLettered).toBe(1);
    const f = report.failures[0]!;
    expect(f.node).toBe('half');
    expect(f.item).toBe(2);
    expect(f.error.code).toBe('NODE_FAILED');
    expect(f.error.message).toBe('node "half" failed on item 2: two is bad');
    expect(f.error.stack).toContain('two is bad');
  });

  it('fuses adjacent map/filter/check stages, and each keeps its own name and counts', async () => {
    const p = pipe(
      map('double', (x: number) => x * 2),
      filter('big', (x: number) => x > 2),
      check((x: number) => x % 2 === 0, 'even'),
      map('inc', (x: number) => x + 1),
    );
    const { values, report } = await collect(p, [1, 2, 3]);
    expect(values).toEqual([5, 7]);
    expect(report.nodes['double']).toMatchObject({ received: 3, emitted: 3 });
    expect(report.nodes['big']).toMatchObject({ received: 3, emitted: 2, acked: 1 });
    expect(report.nodes['inc']).toMatchObject({ received: 2, emitted: 2 });
    expect(describeGraph(p).nodes.map((n) => n.name)).toEqual(['input', 'double', 'big', 'check#1', 'inc', 'end']);
  });

  it('rejects a non-function at once, showing what was given', () => {
    expect(() => map(42 as never)).toThrow(ConsecutionError);
    expect(() => map(42 as never)).toThrow('map(): fn must be a function, got number 42');
  });

  it('an async function is refused when the pipeline is built, by every operator that calls its function synchronously', () => {
    const later = async (x: number) => x;
    const cases: [string, () => unknown][] = [
      ['map', () => map(later)],
      ['filter', () => filter(later as never)],
      ['check', () => check(later as never, 'positive')],
      ['flatMap', () => flatMap(async function* (x: number) { yield x; } as never)],
      ['partition', () => partition(later as never, [map((x) => x), map((x) => x)] as never)],
      // (TypeScript refuses these two already; JavaScript, or a cast, does not.)
      ['reduce', () => reduce((async (a: number, x: number) => a + x) as never, 0)],
      ['scan', () => scan((async (a: number, x: number) => a + x) as never, 0)],
      ['chunk', () => chunk(later)],
    ];
    for (const [op, build] of cases) {
      expect(build, op).toThrow(new RegExp(`^${op}\\(\\): .* is an async function, but ${op}\\(\\) calls it synchronously`));
    }
  });
});
