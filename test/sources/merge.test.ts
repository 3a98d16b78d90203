import { describe, expect, it } from 'vitest';
import { Consecutor, fromAsyncIterable, fromIterable, map, merge, output } from 'consecution';

describe('merge', () => {
  it('makes one input of several sources, sync and async, and ends when all have ended', async () => {
    async function* slow() {
      for (const x of [100, 200]) {
        await new Promise((r) => setTimeout(r, 2));
        yield x;
      }
    }
    const out: number[] = [];
    const report = await new Consecutor(output('out'), { outputs: { out } }).run(
      merge(fromIterable([1, 2, 3]), fromAsyncIterable(slow()), [4, 5]),
    );
    expect([...out].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 100, 200]);
    expect(report).toMatchObject({ ok: true, ingested: 7 });
  });

  it('reads another consecutor’s output as it is produced', async () => {
    const upstream = new Consecutor(map((x: number) => x * 2), {});
    const doubled = upstream.output<number>('default');
    const got: number[] = [];
    const downstream = new Consecutor(output('got'), { outputs: { got } });
    const [a, b] = await Promise.all([upstream.run([1, 2, 3]), downstream.run(merge(doubled, [0]))]);
    expect(a.ok && b.ok).toBe(true);
    expect([...got].sort()).toEqual([0, 2, 4, 6]);
  });
});
