import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { Consecutor, map, node, openStore, output, reduce, type RunReport } from 'consecution';
import { VirtualClock } from 'consecution/testing';

// A defect here shows as a stop that never resolves: the explicit timeouts make such a test fail
// soon instead of at the suite's 30 s; a passing test settles at once.
const HANG = { timeout: 10_000 };

const temp = () => mkdtempSync(join(tmpdir(), 'consecution-stop-'));
const fixture = (name: string) => new URL(`../worker/fixtures/${name}.ts`, import.meta.url);

/** An endless source: 0, 1, 2, ... with an await before each item, as a socket or a broker has. */
async function* forever(state: { closed: boolean } = { closed: false }): AsyncGenerator<number> {
  try {
    for (let i = 0; ; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      yield i;
    }
  } finally {
    state.closed = true;
  }
}

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** An output container that calls `then` after its `n`th value. */
function counting<T>(n: number, then: () => void): { values: T[]; append(v: T): void } {
  const values: T[] = [];
  return {
    values,
    append(v) {
      values.push(v);
      if (values.length === n) then();
    },
  };
}

describe('c.stop()', () => {
  it('stops an endless source: the run and the stop resolve with the same report, every admitted item written', HANG, async () => {
    const source = { closed: false };
    let stopping: Promise<RunReport> | undefined;
    const out = counting<number>(5, () => {
      stopping = c.stop();
    });
    const c = new Consecutor(pipe(map((x: number) => x * 2), output('out')), { outputs: { out } });
    const report = await c.run(forever(source));
    expect(await stopping).toBe(report);
    expect(report).toMatchObject({ ok: true, stopped: true, pending: 0, failed: 0 });
    expect(report.completed).toBe(report.ingested);
    expect(out.values).toEqual(Array.from({ length: report.ingested }, (_, i) => i * 2));
    expect(source.closed).toBe(true); // the generator's finally ran: the source was closed
  });

  it('does not wait for a read that never answers: what it would return is never admitted', HANG, async () => {
    async function* stuck(): AsyncGenerator<number> {
      yield 1;
      yield 2;
      await new Promise(() => {}); // a socket that stays silent
    }
    const second = deferred();
    const out = counting<number>(2, second.resolve);
    const c = new Consecutor(output('out'), { outputs: { out } });
    const done = c.run(stuck());
    await second.promise;
    await new Promise((resolve) => setImmediate(resolve)); // the third read is under way by now
    const report = await c.stop();
    expect(await done).toBe(report);
    expect(report).toMatchObject({ ok: true, stopped: true, ingested: 2, completed: 2, pending: 0 });
    expect(out.values).toEqual([1, 2]);
  });

  it('a second stop() returns the same promise; stop() with no run rejects with NOT_RUNNING', HANG, async () => {
    const c = new Consecutor(map((x: number) => x), {});
    await expect(c.stop()).rejects.toMatchObject({ code: 'NOT_RUNNING', message: expect.stringContaining('stop() needs an active run') });
    const done = c.run(forever());
    const first = c.stop();
    expect(c.stop()).toBe(first);
    expect(await first).toBe(await done);
    expect(await first).toMatchObject({ stopped: true });
    await expect(c.stop()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    expect(await c.run([1, 2])).toMatchObject({ ok: true, stopped: false, completed: 2, pending: 0 });
  });

  it('stops a run started with up(): pushes still waiting are refused, the admitted one completes', HANG, async () => {
    const out: number[] = [];
    const confirm = deferred();
    // The first item's write waits for confirm: with maxPending 1, the next push waits to be admitted.
    const c = new Consecutor(output('out'), {
      maxPending: 1,
      outputs: { out: { append: (v: number) => (out.push(v), confirm.promise) } },
    });
    c.up();
    await c.push(1);
    const waiting = c.push(2);
    const stopping = c.stop();
    await expect(waiting).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    await expect(c.push(3)).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    await expect(c.down()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    confirm.resolve();
    expect(await stopping).toMatchObject({ ok: true, stopped: true, ingested: 1, completed: 1 });
    expect(out).toEqual([1]);
  });

  it('a push() handed to the run just before stop() resolves admitted, and its item is processed', HANG, async () => {
    const out: number[] = [];
    const c = new Consecutor(output('out'), { outputs: { out } });
    c.up();
    await c.push(1);
    await new Promise((resolve) => setImmediate(resolve)); // the run waits for the next push
    const admitted = c.push(2);
    const report = await c.stop();
    await expect(admitted).resolves.toBeUndefined();
    expect(report).toMatchObject({ ok: true, stopped: true, ingested: 2, completed: 2 });
    expect(out).toEqual([1, 2]);
  });

  it("under guarantee 'none' stops reading and ends the input too", HANG, async () => {
    let stopping: Promise<RunReport> | undefined;
    const out = counting<number>(5, () => {
      stopping = c.stop();
    });
    const c = new Consecutor(output('out'), { guarantee: 'none', outputs: { out } });
    const report = await c.run(forever());
    expect(await stopping).toBe(report);
    expect(report).toMatchObject({ ok: true, stopped: true, failed: 0 });
    expect(out.values).toEqual(Array.from({ length: report.ingested }, (_, i) => i));
  });
});

describe('run(source, { signal })', () => {
  it('aborting the signal stops the run, which resolves with its report; the listener is removed', HANG, async () => {
    const abort = new AbortController();
    const out = counting<number>(5, () => abort.abort());
    const c = new Consecutor(output('out'), { outputs: { out } });
    const report = await c.run(forever(), { signal: abort.signal });
    expect(report).toMatchObject({ ok: true, stopped: true });
    expect(out.values).toHaveLength(report.ingested);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('a signal that never aborts is let go when the run ends', HANG, async () => {
    const abort = new AbortController();
    const c = new Consecutor(map((x: number) => x), {});
    expect(await c.run([1, 2, 3], { signal: abort.signal })).toMatchObject({ ok: true, stopped: false, completed: 3 });
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('an aborted signal: the run reads nothing and resolves with an empty stopped report', HANG, async () => {
    let read = false;
    async function* source(): AsyncGenerator<number> {
      read = true;
      yield 1;
    }
    const c = new Consecutor(map((x: number) => x), {});
    const report = await c.run(source(), { signal: AbortSignal.abort() });
    expect(report).toMatchObject({ ok: true, stopped: true, ingested: 0, completed: 0, pending: 0 });
    expect(read).toBe(false);
  });

  it('refuses a bad second argument, showing the value, and starts no run', async () => {
    const c = new Consecutor(map((x: number) => x), {});
    await expect(c.run([1], { signl: AbortSignal.abort() } as never)).rejects.toThrow(
      /^unknown run\(\) option signl \(.*\); known options: signal; did you mean signal\?$/,
    );
    await expect(c.run([1], { signal: 'stop' } as never)).rejects.toThrow('run() option signal must be an AbortSignal, got string "stop"');
    await expect(c.run([1], null as never)).rejects.toThrow('run() option (options) must be an object, got null');
    await expect(c.stop()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
  });
});

describe('drainMs', () => {
  it('is validated like the other options', () => {
    expect(() => new Consecutor(map((x: number) => x), { drainMs: 0 })).toThrow(
      'Consecutor option drainMs must be an integer from 1 to 2147483647',
    );
    expect(() => new Consecutor(map((x: number) => x), { drainMs: 100 })).not.toThrow();
  });

  it('an item that does not settle within drainMs stays in the journal, and the next run completes it', HANG, async () => {
    const dir = temp();
    let fixed = false;
    const hanging = deferred();
    const fourth = deferred();
    const out = counting<number>(4, fourth.resolve);
    const pipeline = pipe(
      node('flaky', {
        async process(x: number) {
          if (x === 5 && !fixed) {
            hanging.resolve();
            await new Promise(() => {}); // never settles
          }
          return x;
        },
      }),
      output('out'),
    );
    // drainMs passes on the run's virtual clock, when the test lets it.
    const clock = new VirtualClock();
    const c = new Consecutor(pipeline, {
      guarantee: 'replay',
      timeoutMs: 60_000,
      drainMs: 50,
      store: { path: dir },
      clock,
      outputs: { out },
    });
    const done = c.run([1, 2, 3, 4, 5]);
    await Promise.all([hanging.promise, fourth.promise]);
    const report = await clock.runUntil(c.stop());
    expect(await done).toBe(report);
    expect(report).toMatchObject({ ok: false, stopped: true, ingested: 5, completed: 4, pending: 1, deadLettered: 0, errors: 1 });
    expect(report.failures).toEqual([
      expect.objectContaining({
        node: 'consecutor',
        error: expect.objectContaining({ code: 'DRAIN_TIMEOUT', message: expect.stringContaining('1 item(s) did not settle within drainMs=50') }),
      }),
    ]);
    const store = openStore(dir);
    expect(store.pending().map((e) => e.value)).toEqual([5]);
    await store.close();

    fixed = true;
    expect(await c.run([1, 2, 3, 4, 5])).toMatchObject({ ok: true, stopped: false, ingested: 1, completed: 1 });
    expect(out.values).toEqual([1, 2, 3, 4, 5]);
    const after = openStore(dir);
    expect(after.pending()).toEqual([]);
    await after.close();
  });

  it("under guarantee 'none' drainMs bounds the end too", HANG, async () => {
    const hanging = deferred();
    const clock = new VirtualClock();
    const c = new Consecutor(
      node('hang', {
        async process(x: number) {
          if (x === 3) {
            hanging.resolve();
            await new Promise(() => {});
          }
          return x;
        },
      }),
      { guarantee: 'none', timeoutMs: 60_000, drainMs: 50, clock },
    );
    const done = c.run([1, 2, 3]);
    await hanging.promise;
    const report = await clock.runUntil(c.stop());
    expect(await done).toBe(report);
    expect(report).toMatchObject({ ok: false, stopped: true });
    expect(report.failures.map((f) => f.error.code)).toEqual(['DRAIN_TIMEOUT']);
  });
});

describe('a stop with the LMDB store', () => {
  it('a reduce stopped midway and run again on the store sums 1..N exactly, and nothing is left pending', HANG, async () => {
    const dir = temp();
    const N = 200;
    const items = Array.from({ length: N }, (_, i) => i + 1);
    let stopAt: number | undefined = 50;
    const totals: number[] = [];
    const c = new Consecutor(
      pipe(
        map((x: number) => {
          if (x === stopAt) void c.stop();
          return x;
        }),
        reduce('sum', (a: number, x: number) => a + x, 0),
        output('totals'),
      ),
      { guarantee: 'replay', maxPending: 10, store: { path: dir }, outputs: { totals } },
    );
    const first = await c.run(items);
    expect(first).toMatchObject({ ok: true, stopped: true, pending: 0 });
    expect(first.ingested).toBeGreaterThanOrEqual(50);
    expect(first.ingested).toBeLessThan(N);
    // The reduce emitted what it folded: the items read before the stop, 1..ingested.
    expect(totals).toEqual([(first.ingested * (first.ingested + 1)) / 2]);

    stopAt = undefined;
    const second = await c.run(items);
    expect(second).toMatchObject({ ok: true, stopped: false, ingested: N - first.ingested });
    expect(totals[1]).toBe((N * (N + 1)) / 2);
    const store = openStore(dir);
    expect(store.stats()).toMatchObject({ pending: 0 });
    await store.close();
  });

  it('an item that fails while the run drains is not replayed after the stop: it stays in the journal, not dead-lettered', HANG, async () => {
    const dir = temp();
    const stopped = deferred();
    let first = true;
    const out: number[] = [];
    const c = new Consecutor(
      pipe(
        node('once-failing', {
          async process(x: number) {
            if (x === 3 && first) {
              await stopped.promise;
              throw new Error('lost the connection');
            }
            return x;
          },
        }),
        output('out'),
      ),
      { guarantee: 'replay', store: { path: dir }, outputs: { out } },
    );
    const done = c.run([1, 2, 3]);
    await new Promise((resolve) => setImmediate(resolve));
    const stopping = c.stop();
    stopped.resolve();
    const report = await stopping;
    expect(await done).toBe(report);
    expect(report).toMatchObject({ ok: false, stopped: true, completed: 2, retried: 1, deadLettered: 0, pending: 1, errors: 0 });
    const store = openStore(dir);
    expect(store.pending().map((e) => e.value)).toEqual([3]);
    expect(store.deadLetters()).toEqual([]);
    await store.close();

    first = false;
    expect(await c.run([1, 2, 3])).toMatchObject({ ok: true, ingested: 1, completed: 1 });
    expect(out.sort()).toEqual([1, 2, 3]);
  });
});

describe('a stop with offloaded nodes', () => {
  it('workers finish what was admitted and stop: the program exits by itself', () => {
    const script = `
      import { pipe } from 'rxjs';
      import { Consecutor, offload, output } from 'consecution';
      async function* forever() {
        for (let i = 0; ; i++) {
          await new Promise((resolve) => setImmediate(resolve));
          yield i;
        }
      }
      const out = [];
      let stopping;
      const c = new Consecutor(pipe(offload(${JSON.stringify(fixture('slow').href)}, { parallelism: 2 }), output('out')), {
        mode: 'thread',
        outputs: { out: { append(v) { out.push(v); if (out.length === 20) stopping = c.stop(); } } },
      });
      const report = await c.run(forever());
      const all = out.slice().sort((a, b) => a - b).every((v, i) => v === i);
      console.log(JSON.stringify({ same: (await stopping) === report, ok: report.ok, stopped: report.stopped,
        ingested: report.ingested, completed: report.completed, out: out.length, all }));
    `;
    // The limit only stops a hang (a worker left running keeps the program alive).
    const printed = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    const r = JSON.parse(printed.trim()) as { ingested: number };
    expect(r).toMatchObject({ same: true, ok: true, stopped: true, completed: r.ingested, out: r.ingested, all: true });
    expect(r.ingested).toBeGreaterThanOrEqual(20);
  }, 90_000);
});
