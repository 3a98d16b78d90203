import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { pipe } from 'rxjs';
import { broadcast, chunk, Consecutor, map, offload, output } from 'consecution';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

/**
 * A timeoutMs for the runs whose workers must load their module and answer in time. A worker loads
 * within timeoutMs or it is stopped as hung, and its items time out from the moment they are read:
 * a worker takes 0.5 to 1.5 s to start (tsx compiles) on a busy 2-core machine, so a short limit
 * would make the outcome depend on how fast it starts. The tests that wait this long for a hang
 * run their two modes at once.
 */
const ROOMY = 10_000;

describe('worker supervision', () => {
  it.each(['thread', 'process'] as const)('workers dying too often fail the run with WORKER_CRASHED (%s), not a hang', async (mode) => {
    const c = new Consecutor(offload(fixture('always-crash'), { parallelism: 1, maxRestarts: 2 }), { mode, guarantee: 'replay', retries: 10 });
    await expect(c.run([1, 2, 3])).rejects.toMatchObject({
      code: 'WORKER_CRASHED',
      message: expect.stringMatching(/node "always-crash": workers died 3 times within 10000 ms .*giving up/),
    });
  });

  it.concurrent.for(['thread', 'process'] as const)('a worker stuck in a loop is stopped once it holds a batch past timeoutMs, and the run ends (%s)', async (mode, { expect }) => {
    const out: number[] = [];
    const input = Array.from({ length: 20 }, (_, i) => i);
    const c = new Consecutor(pipe(offload<number, number>(fixture('hang'), { parallelism: 2, batch: 4 }), output('out')), {
      mode,
      guarantee: 'replay',
      timeoutMs: ROOMY,
      outputs: { out },
    });
    const report = await c.run(input);
    expect(report).toMatchObject({ ok: true, completed: 20, deadLettered: 0 });
    // The worker was stopped; only the item it was stuck on lost an attempt (a process cannot say
    // which item it is on: its batch ran again one item per batch first), the others ran again.
    expect(report.nodes.hang!.crashes).toBeGreaterThanOrEqual(1);
    expect(report.failures).toEqual([
      expect.objectContaining({ item: 7, node: 'hang', attempts: 1, error: expect.objectContaining({ code: 'NODE_TIMEOUT' }) }),
    ]);
    expect([...new Set(out)].sort((a, b) => a - b)).toEqual(input);
  });

  it.each(['thread', 'process'] as const)('a worker that dies in end() is counted and reported; the run still ends (%s)', async (mode) => {
    const out: number[] = [];
    const input = Array.from({ length: 10 }, (_, i) => i);
    const report = await new Consecutor(offload<number, number>(fixture('exit-in-end'), { parallelism: 2, batch: 4 }), { mode, outputs: { default: out } }).run(input);
    expect(out.sort((a, b) => a - b)).toEqual(input);
    expect(report).toMatchObject({ ok: false, completed: 10, errors: 2 });
    expect(report.nodes['exit-in-end']!.crashes).toBe(2);
    expect(report.failures[0]).toMatchObject({
      node: 'exit-in-end',
      error: { code: 'WORKER_CRASHED', message: expect.stringMatching(/^node "exit-in-end": the worker (thread|process) exited with code 4 while it ran end\(\)$/) },
    });
  });

  it.each(['thread', 'process'] as const)('a worker whose module never loads is stopped after timeoutMs: the run ends (%s)', async (mode) => {
    // However long a worker takes to start, this one never gets ready: the outcome is the same.
    const never = await new Consecutor(offload(fixture('load-hang'), { parallelism: 1 }), { mode, guarantee: 'replay', retries: 0, timeoutMs: 500 }).run([1, 2, 3]);
    expect(never).toMatchObject({ ok: false, completed: 0, deadLettered: 3 });
    // It is stopped at about the moment its items time out: they fail with either reason.
    expect(never.nodes['load-hang']!.crashes).toBeGreaterThanOrEqual(1);
    for (const f of never.failures) {
      expect(f.error.message).toMatch(/^(node "load-hang": the worker had not loaded its module after timeoutMs=500, so it was stopped as hung|item #\d+ was not completely processed within timeoutMs=500)/);
    }
  });

  it.concurrent.for(['thread', 'process'] as const)('a worker whose end() never settles is stopped after timeoutMs: the run ends (%s)', async (mode, { expect }) => {
    const out: number[] = [];
    const options = { mode, guarantee: 'replay', retries: 0, timeoutMs: ROOMY, outputs: { default: out } } as const;
    const endless = await new Consecutor(offload(fixture('end-hang'), { parallelism: 2 }), options).run([1, 2, 3]);
    expect(out.sort()).toEqual([1, 2, 3]);
    expect(endless).toMatchObject({ ok: false, completed: 3, errors: 2 });
    expect(endless.failures.map((f) => f.error.message)).toEqual([
      `node "end-hang": the worker was stopped as hung after timeoutMs=${ROOMY} while it ran end()`,
      `node "end-hang": the worker was stopped as hung after timeoutMs=${ROOMY} while it ran end()`,
    ]);
  });

  it.each(['thread', 'process'] as const)('a chunk after an offload that can never fill under maxPending does not stall the run (%s)', async (mode) => {
    const out: number[] = [];
    const p = pipe(offload<number, number>(fixture('identity'), { parallelism: 2, batch: 16 }), chunk(100), map((b: number[]) => b.length));
    const report = await new Consecutor(p, { mode, maxPending: 50, outputs: { default: out } }).run(Array.from({ length: 500 }, (_, i) => i));
    expect(report).toMatchObject({ ok: true, completed: 500 });
    expect(out.reduce((a, b) => a + b, 0)).toBe(500);
  });

  it('a slow worker back-pressures the source: never more than maxPending in flight', async () => {
    expect(await mostAhead(200, 16)).toBeLessThanOrEqual(16);
  });

  it('busy workers hold the source back: items are read as workers have room, not up to maxPending', async () => {
    // 2 workers x 2 batches of 8, and one full batch waiting: 40 items read and not yet out.
    const most = await mostAhead(300, 1_000);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(40);
  });

  it('a hold does not starve the other branch of a broadcast: a chunk beside a busy offload completes', async () => {
    const out: unknown[] = [];
    const pipeline = pipe(
      broadcast(
        offload<number, number>(fixture('slow'), { parallelism: 1, batch: 4 }),
        pipe(
          chunk<number>(7),
          map((xs: number[]) => `chunk of ${xs.length}`),
        ),
      ),
      output('out'),
    );
    const input = Array.from({ length: 100 }, (_, i) => i);
    const report = await new Consecutor(pipeline, { mode: 'thread', maxPending: 500, outputs: { out } }).run(input);
    expect(report).toMatchObject({ ok: true, completed: 100 });
    expect(out.filter((x) => typeof x === 'number').sort((a, b) => a - b)).toEqual(input);
    expect(out.filter((x) => typeof x === 'string')).toEqual([...Array<string>(14).fill('chunk of 7'), 'chunk of 2']);
  });

  it('leaves no handles: a program using thread and process workers exits by itself, after a failed run too', () => {
    const script = `
      import { pipe } from 'rxjs';
      import { Consecutor, offload } from 'consecution';
      const url = ${JSON.stringify(fixture('double').href)};
      for (const mode of ['thread', 'process']) {
        const r = await new Consecutor(offload(url), { mode }).run([1, 2, 3]);
        if (!r.ok) process.exit(2);
        // A run that fails while it starts (a synchronous source that throws at once) stops its workers too.
        function* broken() { yield 1; throw new Error('broken source'); }
        const failed = await new Consecutor(offload(url), { mode }).run(broken()).then(() => 'resolved', (e) => e.code);
        if (failed !== 'SOURCE_FAILED') process.exit(3);
      }
      console.log('done');
    `;
    // The limit only stops a hang: four runs, eight workers to start, on a busy machine too.
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(out.trim()).toBe('done');
  }, 90_000);
});

/**
 * Runs `n` items through the slow node on 2 threads in batches of 8 and resolves to the most items
 * seen read from the source and not yet out of the pipeline.
 */
async function mostAhead(n: number, maxPending: number): Promise<number> {
  // Measured at each read, when the count is at its highest: exact, no sampling timer.
  const out: number[] = [];
  let most = 0;
  function* items() {
    for (let i = 0; i < n; i++) {
      most = Math.max(most, i + 1 - out.length);
      yield i;
    }
  }
  const c = new Consecutor(pipe(offload<number, number>(fixture('slow'), { parallelism: 2, batch: 8 }), output('out')), {
    mode: 'thread',
    maxPending,
    outputs: { out },
  });
  const report = await c.run(items());
  expect(report).toMatchObject({ ok: true, completed: n });
  return most;
}
