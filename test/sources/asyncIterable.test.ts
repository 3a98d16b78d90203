import { describe, expect, it } from 'vitest';
import { interval, take } from 'rxjs';
import { Consecutor, ConsecutionError, fromAsyncIterable, fromIterable, map } from 'consecution';
import { collect } from 'consecution/testing';

describe('sources', () => {
  it('fromAsyncIterable reads an async generator, pulling only when there is room', async () => {
    let pulled = 0;
    async function* gen() {
      for (let i = 0; i < 5; i++) {
        pulled++;
        yield i;
      }
    }
    const { values, report } = await collect(map((x: number) => x * 2), fromAsyncIterable(gen()), { maxPending: 1 });
    expect(values).toEqual([0, 2, 4, 6, 8]);
    expect(pulled).toBe(5);
    expect(report.ok).toBe(true);
  });

  it('fromAsyncIterable and run() take an Observable', async () => {
    const { values } = await collect(map((x: number) => x), interval(1).pipe(take(3)));
    expect(values).toEqual([0, 1, 2]);
  });

  it('fromIterable reads generators and Sets; positions are indexes', async () => {
    const { values } = await collect(map((x: string) => x), fromIterable(new Set(['a', 'b'])));
    expect(values).toEqual(['a', 'b']);
  });

  it('anything else is a clear error', async () => {
    const c = new Consecutor(map((x: number) => x), {});
    await expect(c.run(42 as never)).rejects.toThrow(ConsecutionError);
    await expect(c.run(42 as never)).rejects.toThrow(/expected a source .* got number 42/);
  });

  it('a generator that throws fails the run with SOURCE_FAILED', async () => {
    function* broken() {
      yield 1;
      throw new Error('bad disk');
    }
    await expect(new Consecutor(map((x: number) => x), {}).run(fromIterable(broken(), { name: 'rows' }))).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      message: 'source "rows" failed: bad disk',
    });
  });
});
