import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, ConsecutionError, map, output } from 'consecution';

describe('Consecutor', () => {
  it('validates options at once, showing the bad value', () => {
    const p = map((x: number) => x);
    expect(() => new Consecutor(p, { maxPending: 0 })).toThrow('Consecutor option maxPending must be an integer >= 1, got number 0');
    expect(() => new Consecutor(p, { guarantee: 'most' as never })).toThrow(
      "Consecutor option guarantee must be one of 'none', 'confirm', 'track', 'replay', got string \"most\"",
    );
    expect(() => new Consecutor(p, { maxPendng: 5 } as never)).toThrow(/unknown Consecutor option maxPendng/);
    expect(() => new Consecutor(p, { outputs: { rows: 5 as never } })).toThrow('outputs.rows must have an append() or a push() method, got number 5');
    expect(() => new Consecutor('x' as never)).toThrow(ConsecutionError);
  });

  it('runs one input stream at a time, and can run again after', async () => {
    const c = new Consecutor(map((x: number) => x), {});
    const first = c.run((async function* () { yield 1; })());
    await expect(c.run([2])).rejects.toMatchObject({ code: 'RUN_ACTIVE' });
    expect((await first).completed).toBe(1);
    expect((await c.run([2, 3])).completed).toBe(2);
  });

  it('up() / push() / down() feed a run by hand', async () => {
    const out: number[] = [];
    const c = new Consecutor(pipe(map((x: number) => x + 1), output('out')), { outputs: { out } });
    await expect(c.push(1)).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    c.up();
    await c.push(1);
    await c.push(2);
    const report = await c.down();
    expect(out).toEqual([2, 3]);
    expect(report).toMatchObject({ ok: true, completed: 2 });
  });

  it('c.output(name) is an Observable of the run’s values', async () => {
    const c = new Consecutor(pipe(map((x: number) => x * 2), output('doubled')), {});
    const seen: number[] = [];
    let completed = false;
    c.output<number>('doubled').subscribe({ next: (x) => seen.push(x), complete: () => (completed = true) });
    await c.run([1, 2]);
    expect(seen).toEqual([2, 4]);
    expect(completed).toBe(true);
  });

  it('c.output(name) is an async iterable whose slow reader back-pressures the run', async () => {
    const c = new Consecutor(output('rows'), { maxPending: 2 });
    const rows = c.output<number>('rows');
    const run = c.run(Array.from({ length: 10 }, (_, i) => i));
    const got: number[] = [];
    for await (const r of rows) {
      got.push(r);
      expect(c.metrics().pending).toBeLessThanOrEqual(2);
      await new Promise((res) => setTimeout(res, 1));
    }
    expect(got).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect((await run).ok).toBe(true);
  });

  it('metrics() counts per node and per run', async () => {
    const c = new Consecutor(map('inc', (x: number) => x + 1), {});
    await c.run([1, 2, 3]);
    const m = c.metrics();
    expect(m).toMatchObject({ running: false, pending: 0, ingested: 3, completed: 3 });
    expect(m.nodes['inc']).toMatchObject({ received: 3, emitted: 3 });
  });

  it('a source that throws rejects the run with SOURCE_FAILED naming the source', async () => {
    async function* broken() {
      yield 1;
      throw new Error('disk gone');
    }
    await expect(new Consecutor(map((x: number) => x), {}).run(broken())).rejects.toThrow(
      'source "async iterable" failed: disk gone',
    );
  });
});
