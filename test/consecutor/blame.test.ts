import { describe, expect, it } from 'vitest';
import { pipe, Subject } from 'rxjs';
import { chunk, Consecutor, Envelope, map, node, offload, ordered, output, type ConsecutorOptions, type FailureRecord, type Node, type RunReport } from 'consecution';
import { RecordingAnchor, VirtualClock } from 'consecution/testing';
import { blameOf, type Holder } from '../../src/acker/blame.js';
import { DetachedStageContext, withStageContext, type StageContext } from '../../src/stage/stage-context.js';
import { runThroughHangs, WorkerLog } from '../worker/log.js';

// A timeout blames the item that is slow, never the ones queued behind it (DESIGN §3). The runs
// are on virtual time: a call that never settles is given up when the test lets the clock run,
// however loaded the machine is.
const TIMEOUT_MS = 2_000;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const never = () => new Promise<never>(() => {});

/** The run's report once `clock` has run it to its end, or 'still running' if it has not ended long after every deadline. */
async function ended(clock: VirtualClock, run: Promise<RunReport>, guardMs = 10 * TIMEOUT_MS): Promise<RunReport | 'still running'> {
  let report: RunReport | undefined;
  let failed = false;
  let error: unknown;
  run.then(
    (r) => (report = r),
    (e: unknown) => ((failed = true), (error = e)),
  );
  try {
    await clock.runUntil(() => report !== undefined || failed, { limitMs: guardMs });
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('VirtualClock.runUntil: not done')) return 'still running';
    throw e;
  }
  if (failed) throw error;
  return report!;
}

/** Runs `pipeline` over `items` on a virtual clock of its own, to its end (see {@link ended}). */
function runOnClock<I>(pipeline: Node<I, unknown>, items: I[], options: ConsecutorOptions): Promise<RunReport | 'still running'> {
  const clock = new VirtualClock();
  return ended(clock, new Consecutor(pipeline, { ...options, clock }).run(items));
}

const what = (f: FailureRecord) => ({ item: f.item, node: f.node, code: f.error.code });

/** A node whose call on `bad` never settles; every other item passes. */
const hangOn = (bad: number, concurrency = 1) =>
  node('hang', {
    concurrency,
    async process(x: number) {
      if (x === bad) await never();
      return x;
    },
  });

describe('a timeout blames the item that is slow', () => {
  it('one hung item among 1,000 at concurrency 1 costs one dead letter, naming the node', async () => {
    const out: number[] = [];
    const dead: FailureRecord[] = [];
    const report = (await runOnClock(hangOn(7), range(1_000), {
      guarantee: 'replay',
      retries: 1,
      timeoutMs: TIMEOUT_MS,
      outputs: { default: out, deadLetter: dead },
    })) as RunReport;
    expect(report).toMatchObject({ ingested: 1_000, completed: 999, retried: 1, deadLettered: 1 });
    expect(dead.map(what)).toEqual([{ item: 7, node: 'hang', code: 'NODE_TIMEOUT' }]);
    // Both attempts of item 7 timed out in the node; nothing queued behind it did.
    expect(report.failures.map(what)).toEqual([
      { item: 7, node: 'hang', code: 'NODE_TIMEOUT' },
      { item: 7, node: 'hang', code: 'NODE_TIMEOUT' },
    ]);
    expect(out.sort((a, b) => a - b)).toEqual(range(1_000).filter((x) => x !== 7));
  });

  it("under guarantee 'none' a hung call still has a deadline: the run ends, with the one failure", async () => {
    const out: number[] = [];
    const report = await runOnClock(hangOn(7), range(1_000), { guarantee: 'none', timeoutMs: TIMEOUT_MS, outputs: { default: out } });
    expect(report).not.toBe('still running');
    expect(report).toMatchObject({ ok: false, failed: 1 });
    expect((report as RunReport).failures.map(what)).toEqual([{ item: 7, node: 'hang', code: 'NODE_TIMEOUT' }]);
    expect(out).toHaveLength(999);
  });

  it("under guarantee 'none' an end() or a write that never settles is given up, with an error that names it", async () => {
    const stuck = { append: (x: number) => (x === 5 ? never() : Promise.resolve()) };
    const options = { guarantee: 'none', timeoutMs: TIMEOUT_MS } as const;
    const [named, byDefault, endless] = await Promise.all([
      runOnClock(output('rows'), range(10), { ...options, outputs: { rows: stuck } }),
      runOnClock(map((x: number) => x), range(10), { ...options, outputs: { default: stuck } }),
      runOnClock(node('flush', { process: (x: number) => x, end: never }), range(10), options),
    ]);
    expect(named).toMatchObject({ ok: false, failed: 1 });
    const rows = (named as RunReport).failures;
    expect(rows.map(what)).toEqual([{ item: 5, node: 'rows', code: 'OUTPUT_FAILED' }]);
    expect(rows[0]!.error.message).toContain('output "rows" did not confirm the write of item 5');
    expect(byDefault).toMatchObject({ ok: false, failed: 1 });
    expect((byDefault as RunReport).failures.map(what)).toEqual([{ item: 5, node: 'default', code: 'OUTPUT_FAILED' }]);
    expect(endless).toMatchObject({ ok: false, failed: 1 });
    expect((endless as RunReport).failures.map((f) => [f.node, f.error.code])).toEqual([['flush', 'NODE_TIMEOUT']]);
  });

  it('an ACK_TIMEOUT names the output that never confirmed the item, not "consecutor"', async () => {
    const stuck = { append: (x: number) => (x === 5 ? never() : Promise.resolve()) };
    const options = { guarantee: 'track', timeoutMs: TIMEOUT_MS } as const;
    const writer = node('writer', {
      process(x: number, ctx) {
        ctx.write('rows', x);
      },
    });
    const [named, byDefault, byNode] = (await Promise.all([
      runOnClock(pipe(map((x: number) => x), output('rows')), range(20), { ...options, outputs: { rows: stuck } }),
      runOnClock(map((x: number) => x), range(20), { ...options, outputs: { default: stuck } }),
      runOnClock(writer, range(20), { ...options, outputs: { rows: stuck } }),
    ])) as RunReport[] as [RunReport, RunReport, RunReport];
    expect(named).toMatchObject({ completed: 19, deadLettered: 1 });
    expect(named.failures.map(what)).toEqual([{ item: 5, node: 'rows', code: 'ACK_TIMEOUT' }]);
    expect(named.failures[0]!.error.message).toMatch(/^item #\d+ was not completely processed within timeoutMs=2000: waiting on output "rows" for \d+\.\d s$/);
    expect(byDefault).toMatchObject({ completed: 19, deadLettered: 1 });
    expect(byDefault.failures.map(what)).toEqual([{ item: 5, node: 'default', code: 'ACK_TIMEOUT' }]);
    expect(byDefault.failures[0]!.error.message).toContain('waiting on output "default" for');
    expect(byNode).toMatchObject({ completed: 19, deadLettered: 1 });
    expect(byNode.failures.map(what)).toEqual([{ item: 5, node: 'rows', code: 'ACK_TIMEOUT' }]);
    expect(byNode.failures[0]!.error.message).toContain('waiting on output "rows" (written by node "writer") for');
  });

  it('an ACK_TIMEOUT of an item in a node call names the node and how long the call has run', async () => {
    // The node's own deadline is far off: the run's timeoutMs passes first.
    const geocode = node('geocode', {
      timeoutMs: 60_000,
      async process(x: number, ctx) {
        if (x === 2) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        return x;
      },
    });
    const report = (await runOnClock(geocode, range(5), { guarantee: 'track', timeoutMs: TIMEOUT_MS })) as RunReport;
    expect(report).toMatchObject({ completed: 4, deadLettered: 1 });
    expect(report.failures.map(what)).toEqual([{ item: 2, node: 'geocode', code: 'ACK_TIMEOUT' }]);
    expect(report.failures[0]!.error.message).toMatch(/: in node "geocode" for \d+\.\d s$/);
  });

  it('items held in ordered() behind a hung item do not time out: they leave, in order, once it fails', async () => {
    // Item 3 hangs twice (it is replayed once): the items behind it wait in ordered() for about
    // twice timeoutMs, far past their own deadlines, which must not count.
    const out: number[] = [];
    const report = (await runOnClock(pipe(hangOn(3, 4), ordered(), output('out')), range(50), {
      guarantee: 'replay',
      retries: 1,
      timeoutMs: TIMEOUT_MS,
      outputs: { out },
    })) as RunReport;
    expect(report).toMatchObject({ completed: 49, retried: 1, deadLettered: 1 });
    expect(report.failures.map(what)).toEqual([
      { item: 3, node: 'hang', code: 'NODE_TIMEOUT' },
      { item: 3, node: 'hang', code: 'NODE_TIMEOUT' },
    ]);
    expect(out).toEqual(range(50).filter((x) => x !== 3));
  });

  it('an item waiting for a worker busy with another does not time out meanwhile', async () => {
    // One worker, one item per batch: the worker holds the second batch while it works on the
    // first. Each item takes 1.4 s of the run's virtual time, well within timeoutMs (2 s); the two
    // together do not. (The fixture sleeps as many real ms as the item says: 1 and 2.)
    const SLOW = 1_400;
    const out: number[] = [];
    const arrived = new Map<number, () => void>();
    const arrival = (v: number) => new Promise<void>((resolve) => arrived.set(v, resolve));
    const arrivals = [arrival(0), arrival(1), arrival(2)];
    const clock = new VirtualClock();
    const c = new Consecutor(offload<number, number>(new URL('./fixtures/sleepy.ts', import.meta.url), { parallelism: 1, batch: 1 }), {
      mode: 'thread',
      guarantee: 'track',
      timeoutMs: TIMEOUT_MS,
      clock,
      outputs: { default: { push: (v: number) => (out.push(v), arrived.get(v)?.()) } },
    });
    c.up();
    // The worker's start (its module loading) is not what is tested: it has answered once first.
    await c.push(0);
    await arrivals[0];
    // Both admitted on microtasks: the worker's answer to item 1 cannot have been taken in yet.
    await c.push(1);
    await c.push(2);
    clock.advance(SLOW); // the worker is on item 1; item 2 waits in its queue
    await arrivals[1];
    clock.advance(SLOW); // the worker is on item 2
    await arrivals[2];
    const report = await c.down();
    expect(report.failures.map(what)).toEqual([]);
    expect(report).toMatchObject({ ok: true, completed: 3 });
    expect(out).toEqual([0, 1, 2]);
  });

  it("under guarantee 'none' a worker stuck in a loop is stopped as hung, and the run ends", async () => {
    // On virtual time a worker's start takes none: only the hang counts against timeoutMs.
    const roomy = 10_000;
    const out: number[] = [];
    const clock = new VirtualClock();
    const log = new WorkerLog('hang', 'thread');
    const hang = offload<number, number>(new URL('../worker/fixtures/hang.ts', import.meta.url), { parallelism: 1, batch: 4 });
    const c = new Consecutor(hang, { mode: 'thread', guarantee: 'none', timeoutMs: roomy, clock, outputs: { default: out } });
    // Virtual time moves when the worker spins on item 7, until it is stopped; the run then ends
    // on its own (or the driver fails, naming what it waited for).
    const report = await runThroughHangs(c.run(range(20)), { clock, log, stats: () => c.metrics().nodes.hang, limitMs: 2.5 * roomy });
    const { failures } = report;
    expect(report).toMatchObject({ ok: false, failed: failures.length });
    // Item 7, which the stopped worker was stuck on, failed alone; every other item went through.
    expect(failures.map((f) => [f.item, f.node, f.error.code])).toEqual([[7, 'hang', 'NODE_TIMEOUT']]);
    expect([...out, ...failures.map((f) => f.item as number)].sort((a, b) => a - b)).toEqual(range(20));
  });
});

describe('a batch waiting for a node lane', () => {
  it('does not count the wait against the items in it: only the slow batch times out', async () => {
    // The first batch is held past the run's timeoutMs (the node's own limit is far longer); the
    // batches queued behind it at concurrency 1 wait that long too, and must not time out.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = node('slow-batch', {
      timeoutMs: 60_000,
      async process(rows: number[]) {
        if (rows.includes(0)) await held;
        return rows.length;
      },
    });
    const clock = new VirtualClock();
    const c = new Consecutor(pipe(chunk<number>(2), slow), { guarantee: 'track', timeoutMs: TIMEOUT_MS, clock });
    const run = c.run(range(10));
    // Let the first batch go only once its items have timed out.
    await clock.runUntil(() => c.metrics().failed >= 2, { limitMs: 10 * TIMEOUT_MS });
    release();
    const report = await ended(clock, run);
    expect(report).toMatchObject({ completed: 8, deadLettered: 2 });
    const failures = (report as RunReport).failures.map(what);
    expect(failures.map((f) => f.item).sort()).toEqual([0, 1]);
    expect(failures.every((f) => f.code === 'ACK_TIMEOUT')).toBe(true);
  });
});

describe('where a node holds an item, as a timeout would name it', () => {
  // A live item never times out while it waits for a lane (its clock is stopped then, see
  // root.test.ts), so a run cannot show this message: the node's holder is asked directly.
  it('an item queued for a busy node is waiting for a free lane; the one in its call is in the node', () => {
    const holders: Holder[] = [];
    const host: StageContext = new DetachedStageContext();
    host.addHolder = (h) => void holders.push(h);
    const input = new Subject<Envelope<string>>();
    const lane = node('lane', { concurrency: 1, process: (x: string) => (x === 'first' ? never() : x) });
    withStageContext(host, () => lane(input).subscribe());
    const [first, second, third] = [new RecordingAnchor(), new RecordingAnchor(), new RecordingAnchor()];
    input.next(new Envelope('first', first, 0, 1, 0));
    input.next(new Envelope('second', second, 0, 1, 0));
    input.next(new Envelope('third', third, 0, 1, 0));
    // The detached host's coarse clock is 0: the call began at 0.
    expect(blameOf(holders, first, 12_300)).toEqual({ node: 'lane', where: 'in node "lane" for 12.3 s' });
    expect(blameOf(holders, second, 12_300)).toEqual({ node: 'lane', where: 'waiting for a free lane in node "lane" (concurrency 1, 2 waiting)' });
    expect(blameOf(holders, new RecordingAnchor(), 12_300)).toBeUndefined();
  });
});
