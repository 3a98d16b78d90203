import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { aggregate, broadcast, Consecutor, output, reduce, scan } from 'consecution';
import { collect, runNode } from 'consecution/testing';
import { delayed, failFirstTry } from './flaky.js';

describe('reduce', () => {
  it('acks each input once folded and emits the result at the end', async () => {
    const { values, anchors } = await runNode(reduce((sum: number, x: number) => sum + x, 0), [1, 2, 3], {
      ackOutputs: false,
    });
    expect(values).toEqual([6]);
    expect(anchors.every((a) => a.complete)).toBe(true);
  });

  it('emits the seed for an empty input', async () => {
    expect((await collect(reduce((n: number) => n + 1, 0), [])).values).toEqual([0]);
  });

  it('in a run: completes every item and hands the result to the default output', async () => {
    const { values, report } = await collect(reduce('count', (n: number) => n + 1, 0), ['a', 'b']);
    expect(values).toEqual([2]);
    expect(report).toMatchObject({ ok: true, completed: 2, ingested: 2 });
  });
});

describe('reduce seeds', () => {
  it('a seed given as a function starts fresh every run', async () => {
    const { Consecutor } = await import('consecution');
    const counts = reduce((m: Map<string, number>, w: string) => m.set(w, (m.get(w) ?? 0) + 1), () => new Map<string, number>());
    const out: Map<string, number>[] = [];
    const c = new Consecutor(counts, { outputs: { default: out } });
    await c.run(['a', 'b', 'a']);
    await c.run(['a']);
    expect(out.map((m) => Object.fromEntries(m))).toEqual([{ a: 2, b: 1 }, { a: 1 }]);
  });

  it("under 'replay', a late copy of a failed attempt is not folded: the item counts once", async () => {
    // Each item's first attempt fails in one branch at once, while its copy in the other branch
    // is still in a slow node: that copy reaches the reduce after the replay began.
    const failFirst = failFirstTry('fail-first');
    const slow = delayed('slow', 20, 100);
    const total: number[] = [];
    const p = broadcast(pipe(slow, reduce('sum', (a: number, x: number) => a + x, 0), output('total')), failFirst);
    const report = await new Consecutor(p, { guarantee: 'replay', retries: 2, outputs: { total } }).run([1, 2, 3, 4, 5]);
    expect(report).toMatchObject({ ok: true, completed: 5, retried: 5 });
    expect(total).toEqual([15]);
  });

  it('needs a seed: without one the first fold would start from undefined; an explicit undefined is one', () => {
    const add = (a: number, x: number) => a + x;
    expect(() => (reduce as (fn: unknown) => unknown)(add)).toThrow(/^reduce\(\): give a seed, the state before the first item/);
    expect(() => (reduce as unknown as (name: string, fn: unknown) => unknown)('total', add)).toThrow(/^reduce\(\): give a seed/);
    expect(() => (scan as (fn: unknown) => unknown)(add)).toThrow(/^scan\(\): give a seed/);
    expect(() => (aggregate as (k: unknown, fn: unknown) => unknown)((x: number) => x, add)).toThrow(/^aggregate\(\): give a seed/);
    expect(() => reduce((a: number | undefined, x: number) => (a ?? 0) + x, undefined)).not.toThrow();
  });
});
