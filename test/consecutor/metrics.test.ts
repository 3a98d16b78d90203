import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consecutor, fromFile, map, node, offload } from 'consecution';
import { VirtualClock } from 'consecution/testing';

const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A node of 2 lanes whose calls end when the test says. */
function gated() {
  const gates = new Map<number, () => void>();
  const slow = node('slow', {
    concurrency: 2,
    process: (x: number) => new Promise<number>((resolve) => gates.set(x, () => resolve(x))),
  });
  return { slow, open: (x: number) => gates.get(x)!() };
}

describe('node metrics', () => {
  it('a node with lanes: queued, in flight, the oldest items with their age, busy, latency; counts exact', async () => {
    const clock = new VirtualClock();
    const { slow, open } = gated();
    const c = new Consecutor(pipe(map('double', (x: number) => x * 2), slow), { clock, timeoutMs: 600_000 });
    const done = c.run([1, 2, 3, 4]);
    await turns();
    clock.advance(4_000);
    await turns();
    let m = c.metrics().nodes.slow!;
    expect(m).toMatchObject({ received: 4, inFlight: 2, queued: 2, busy: 1 });
    expect(m.slowest).toEqual([
      { root: 0, ms: 4_000, preview: '2' },
      { root: 1, ms: 4_000, preview: '4' },
    ]);
    expect(m.latency).toBeUndefined();
    expect(c.metrics().nodes.double).toMatchObject({ received: 4, emitted: 4, queued: 0, busy: 0, slowest: [] });

    open(2);
    await turns();
    clock.advance(2_000);
    await turns();
    m = c.metrics().nodes.slow!;
    // Item 1 held its lane 4 s; item 3 took it and is 2 s in; item 2 is 6 s in.
    expect(m).toMatchObject({ inFlight: 2, queued: 1, busy: 1 });
    expect(m.slowest.map((s) => [s.preview, s.ms])).toEqual([['4', 6_000], ['6', 2_000]]);
    expect(m.latency?.max).toBe(4_000);
    expect(m.latency?.p50).toBeCloseTo(4_000, -2); // the sketch is within 1 %

    for (const x of [4, 6, 8]) {
      open(x);
      await turns();
    }
    const report = await clock.runUntil(done);
    expect(report.ok).toBe(true);
    expect(report.nodes.slow).toMatchObject({ received: 4, emitted: 4, inFlight: 0, queued: 0, slowest: [] });
    expect(report.nodes.slow!.latency!.max).toBe(6_000);
  });

  it('rate: items received per second over the last 10 s, sampled on the tick', async () => {
    const clock = new VirtualClock();
    const { slow, open } = gated();
    const c = new Consecutor(slow, { clock, timeoutMs: 600_000, maxPending: 100 });
    // 2 lanes: the items wait for them in turn.
    const items = Array.from({ length: 50 }, (_, i) => i);
    const done = c.run(items);
    await turns();
    clock.advance(5_000);
    await turns();
    // 50 received in the first instant, then none: 50 over the 5 s since the run began.
    expect(c.metrics().nodes.slow!.rate).toBe(10);
    expect(c.metrics().rate).toBe(10);
    expect(c.metrics().progress).toEqual({ done: 50, total: 50, unit: 'items' });
    for (let i = 0; i < 20; i++) clock.advance(1_000);
    // 25 s in: nothing came in the last 10 s.
    expect(c.metrics().nodes.slow!.rate).toBe(0);
    expect(c.metrics().nodes.slow!.busy).toBe(1);
    for (const x of items) {
      open(x);
      await turns();
    }
    await clock.runUntil(done);
  });

  it('blockedMs: the time the source waited at maxPending, and only that', async () => {
    const clock = new VirtualClock();
    const { slow, open } = gated();
    const c = new Consecutor(slow, { clock, timeoutMs: 600_000, maxPending: 1 });
    const done = c.run([1, 2]);
    await turns();
    // Item 1 is pending: the source waits to read item 2.
    clock.advance(3_000);
    await turns();
    expect(c.metrics().blockedMs).toBe(3_000);
    open(1);
    await turns();
    // Item 2 is pending: the source waits again (it is not read past maxPending, not even to learn it ended).
    clock.advance(5_000);
    await turns();
    expect(c.metrics().blockedMs).toBe(8_000);
    open(2);
    const report = await clock.runUntil(done);
    expect(report.ok).toBe(true);
    clock.advance(10_000);
    // The run ended: the wait ended with it.
    expect(c.metrics().blockedMs).toBe(8_000);
  });
});

describe('offloaded node metrics', () => {
  const fixture = (name: string) => new URL(`../worker/fixtures/${name}.ts`, import.meta.url);

  it('while a worker holds a batch: the worker is running, its items are the slowest; counts exact', { timeout: 60_000 }, async () => {
    const c = new Consecutor(offload('hang-async', fixture('hang-async'), { parallelism: 1 }), { mode: 'thread', timeoutMs: 600_000, drainMs: 50 });
    const done = c.run([3]);
    let m = c.metrics().nodes['hang-async'];
    for (let i = 0; i < 600 && (m?.workers?.running ?? 0) === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      m = c.metrics().nodes['hang-async'];
    }
    expect(m).toMatchObject({ received: 1, inFlight: 1, queued: 0, workers: { running: 1, idle: 0 } });
    expect(m!.slowest).toMatchObject([{ root: 0, preview: '3' }]);
    expect(m!.busy).toBeGreaterThan(0);
    void c.stop();
    expect((await done).stopped).toBe(true);
  });

  it('after a run: latency from the workers’ time per batch, every item counted', { timeout: 60_000 }, async () => {
    const c = new Consecutor(offload('slow', fixture('slow'), { parallelism: 2 }), { mode: 'thread' });
    const report = await c.run(Array.from({ length: 200 }, (_, i) => i));
    const m = report.nodes.slow!;
    expect(m).toMatchObject({ received: 200, emitted: 200, inFlight: 0, queued: 0, slowest: [] });
    expect(m.latency!.max).toBeGreaterThanOrEqual(m.latency!.p99);
    expect(m.latency!.p99).toBeGreaterThanOrEqual(m.latency!.p50);
    expect(m.busy).toBeGreaterThanOrEqual(0);
    expect(m.busy).toBeLessThanOrEqual(1);
  });
});

describe('run progress', () => {
  it('a file source reports the bytes read of its size; an array its items', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-progress-'));
    const file = join(dir, 'in.txt');
    writeFileSync(file, 'a\nbb\nccc\n');
    const c = new Consecutor(map('len', (s: string) => s.length), { maxPending: 1 });
    expect(c.metrics().progress).toBeUndefined();
    await c.run(fromFile(file));
    expect(c.metrics().progress).toEqual({ done: 9, total: 9, unit: 'bytes' });
    await c.run([1, 2, 3].map(String));
    expect(c.metrics().progress).toEqual({ done: 3, total: 3, unit: 'items' });
  });
});
