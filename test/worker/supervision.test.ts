import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { pipe } from 'rxjs';
import { broadcast, chunk, Consecutor, map, offload, output, type RunReport } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { RESTART_MS, runThroughHangs, turns, waitFor, WorkerLog, type WorkerEvent } from './log.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

/**
 * The timeoutMs of the runs that stop a hung worker. Those runs are on a virtual clock: a worker's
 * start (0.5 to 1.5 s of tsx compiling on a busy machine) takes no virtual time, and the test moves
 * time on only once the workers are where it wants them, so the limit only has to be longer than
 * the steps the test takes (a restart's back-off).
 */
const ROOMY = 10_000;

describe('worker supervision', () => {
  it.each(['thread', 'process'] as const)('workers dying too often fail the run with WORKER_CRASHED (%s), not a hang', async (mode) => {
    const clock = new VirtualClock();
    const c = new Consecutor(offload(fixture('always-crash'), { parallelism: 1, maxRestarts: 2 }), { mode, guarantee: 'replay', retries: 10, clock });
    const run = c.run([1, 2, 3]);
    let finished = false;
    run.then(
      () => (finished = true),
      () => (finished = true),
    );
    // The deaths are real; the back-off before each restart passes on the run's virtual clock.
    const crashes = () => c.metrics().nodes['always-crash']?.crashes ?? 0;
    for (let seen = 0; ; seen++) {
      await waitFor('a worker to die, or the run to end', () => finished || crashes() > seen);
      if (finished) break;
      clock.advance(RESTART_MS);
    }
    await expect(run).rejects.toMatchObject({
      code: 'WORKER_CRASHED',
      message: expect.stringMatching(/node "always-crash": workers died 3 times within 10000 ms .*giving up/),
    });
  });

  it.concurrent.for(['thread', 'process'] as const)('a worker stuck in a loop is stopped once it holds a batch past timeoutMs, and the run ends (%s)', async (mode, { expect }) => {
    const out: number[] = [];
    const input = Array.from({ length: 20 }, (_, i) => i);
    const log = new WorkerLog('hang', mode);
    const clock = new VirtualClock();
    const c = new Consecutor(pipe(offload<number, number>(fixture('hang'), { parallelism: 2, batch: 4 }), output('out')), {
      mode,
      guarantee: 'replay',
      timeoutMs: ROOMY,
      clock,
      outputs: { out },
    });
    // The first eight items go in at once, and so all into the batches the two workers hold; the
    // rest once item 7 has failed. So while a worker spins, the test can tell when the other one
    // has nothing left to do: every item admitted is out, or was last started by the spinning one.
    c.up();
    const pushes = input.slice(0, 8).map((x) => c.push(x));
    let finish!: (report: Promise<RunReport>) => void;
    const done = new Promise<RunReport>((resolve) => (finish = resolve));
    let admitted = 8;
    const idle = (spinner: WorkerEvent) => {
      const last = new Map<number, number>();
      for (const e of log.events()) if (e.event === 'start') last.set(e.item, e.worker);
      return input.slice(0, admitted).every((x) => out.includes(x) || last.get(x) === spinner.worker);
    };
    // A process cannot say which item it was on: its batch runs again one item per batch, on the
    // other worker, and spins there. Only once item 7 has failed is a restart needed.
    const blamed = () => c.metrics().failed > 0;
    const report = await runThroughHangs(done, {
      clock,
      log,
      idle,
      stats: () => c.metrics().nodes.hang,
      restart: blamed,
      stopped: () => {
        if (admitted === 20 || !blamed()) return;
        admitted = 20;
        pushes.push(...input.slice(8).map((x) => c.push(x)));
        finish(c.down());
      },
      limitMs: 3 * ROOMY,
    });
    await Promise.all(pushes);
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
    // However long a worker takes to start, this one never gets ready: the outcome is the same,
    // and virtual time may run at once.
    const clock = new VirtualClock();
    const run = new Consecutor(offload(fixture('load-hang'), { parallelism: 1 }), { mode, guarantee: 'replay', retries: 0, timeoutMs: 500, clock }).run([1, 2, 3]);
    const never = await clock.runUntil(run, { limitMs: 10_000 });
    expect(never).toMatchObject({ ok: false, completed: 0, deadLettered: 3 });
    // It is stopped at about the moment its items time out: they fail with either reason.
    expect(never.nodes['load-hang']!.crashes).toBeGreaterThanOrEqual(1);
    for (const f of never.failures) {
      expect(f.error.message).toMatch(/^(node "load-hang": the worker had not loaded its module after timeoutMs=500, so it was stopped as hung|item #\d+ was not completely processed within timeoutMs=500)/);
    }
  });

  it.concurrent.for(['thread', 'process'] as const)('a worker whose end() never settles is stopped after timeoutMs: the run ends (%s)', async (mode, { expect }) => {
    const out: number[] = [];
    const log = new WorkerLog('end-hang', mode);
    const clock = new VirtualClock();
    const options = { mode, guarantee: 'replay', retries: 0, timeoutMs: ROOMY, clock, outputs: { default: out } } as const;
    const run = new Consecutor(offload(fixture('end-hang'), { parallelism: 2 }), options).run([1, 2, 3]);
    // Once the items are out, both workers are told to run end(); once both have loaded (one may
    // have had no item), only the hang is left, and virtual time may run.
    await waitFor('the items to come out and both workers to be ready', () => out.length === 3 && log.ready().size === 2);
    await turns(3);
    const endless = await clock.runUntil(run, { limitMs: 3 * ROOMY });
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
