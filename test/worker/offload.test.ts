import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, ConsecutionError, offload, output, type Mode } from 'consecution';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);
const modes: Mode[] = ['sync', 'thread', 'process'];

describe('offload', () => {
  it.each(modes)('runs a defineNode module in %s mode with the same result', async (mode) => {
    const out: number[] = [];
    const c = new Consecutor(pipe(offload<number, number>(fixture('double'), { parallelism: 2, batch: 8 }), output('out')), {
      mode,
      outputs: { out },
    });
    const input = Array.from({ length: 100 }, (_, i) => i + 20);
    const report = await c.run([...input, -5, 13, 1000, 1001]);
    const expected = [...input.map((x) => x * 2), 5, 5];
    expect(out.filter((x) => x > -1000).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    // end() ran in each worker (one inline in sync mode) and pushed its count
    expect(out.filter((x) => x <= -1000)).toHaveLength(mode === 'sync' ? 1 : 2);
    expect(report).toMatchObject({ ingested: 104, completed: 101, deadLettered: 3 });
    const failure = (item: number) => report.failures.find((f) => f.item === item)!;
    expect(failure(13).node).toBe('double');
    expect(failure(13).error.message).toBe('node "double" failed on item 13: thirteen is unlucky');
    expect(failure(13).error.stack).toContain('double.ts');
    // A Left crosses back as a rejection with its reason, not retried
    expect(failure(1000)).toMatchObject({ error: { code: 'NODE_REJECTED' }, reason: { problem: 'too big' } });
    expect(failure(1001).error.message).toContain('ctx.write() is not available in an offloaded node');
  });

  it.each(['thread', 'process'] as const)('a worker killed mid-run loses nothing in %s mode (replayed)', async (mode) => {
    const out: number[] = [];
    const c = new Consecutor(pipe(offload<number, number>(fixture('crash'), { parallelism: 2, batch: 4 }), output('out')), {
      mode,
      guarantee: 'replay',
      outputs: { out },
    });
    const report = await c.run(Array.from({ length: 40 }, (_, i) => i));
    expect(report).toMatchObject({ ok: true, completed: 40, deadLettered: 0 });
    expect(report.retried).toBeGreaterThan(0);
    expect(report.failures.some((f) => f.error.code === 'WORKER_CRASHED')).toBe(true);
    expect([...new Set(out)].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('a module that is not a defineNode is a clear error; so is an inline closure', async () => {
    const c = new Consecutor(offload(fixture('not-a-node')), { mode: 'thread' });
    await expect(c.run([1])).rejects.toThrow(/default export of .*not-a-node.ts is not a node made with defineNode/);
    expect(() => offload((() => 1) as never)).toThrow(ConsecutionError);
    expect(() => offload((() => 1) as never)).toThrow(/an inline closure cannot cross to a worker/);
  });
});
