import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Consecutor, node, type Clock } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { liveView } from '../../src/observe/live-view.js';

const HANG = { timeout: 10_000 };

/** A stream that keeps what is written to it, as a log file would. */
function collector(): { stream: Writable; text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  return { stream, text, lines: () => text().split('\n').filter((l) => l !== '') };
}

/** A consecutor whose one node holds each item one virtual second. */
function slowRun(clock: Clock): Consecutor<number, number> {
  const slow = node('slow', { process: (x: number) => new Promise<number>((resolve) => clock.setTimeout(() => resolve(x), 1_000)) });
  return new Consecutor(slow, { clock, outputs: { default: [] } });
}

/** A consecutor whose one node holds every item until the test opens the gate. */
function gatedRun(clock: Clock): { c: Consecutor<number, number>; open: () => void } {
  const waiting: (() => void)[] = [];
  let opened = false;
  const gate = node('gate', { process: (x: number) => (opened ? x : new Promise<number>((resolve) => waiting.push(() => resolve(x)))) });
  const open = () => {
    opened = true;
    for (const release of waiting.splice(0)) release();
  };
  return { c: new Consecutor(gate, { clock, outputs: { default: [] } }), open };
}

describe('liveView on a stream that is not a terminal', () => {
  it('writes a plain line every 5 s of the run, then the final state once, and stops by itself', HANG, async () => {
    const clock = new VirtualClock(0);
    const { c, open } = gatedRun(clock);
    const out = collector();
    liveView(c, { stream: out.stream, clock });
    const done = c.run([1, 2, 3, 4, 5]);
    await clock.runUntil(() => out.lines().length === 1, { limitMs: 10_000 });
    expect(out.lines()[0]).toMatch(
      /^running 5\.0s: ingested 5, completed 0, pending 5, dead-lettered 0, failed 0, \S+\/s, blocked \S+; progress 100% \(5\/5 items\); busiest gate \(node\): busy \d+%, [1-5] in flight, \d+ queued$/,
    );

    open();
    expect(await clock.runUntil(done)).toMatchObject({ ok: true, ingested: 5, completed: 5 });
    await clock.runUntil(() => out.lines().length === 2, { limitMs: 10_000 });
    expect(out.lines()[1]).toMatch(/^ended 10s: ingested 5, completed 5, pending 0, dead-lettered 0, failed 0, \S+\/s, blocked \S+; progress 100% \(5\/5 items\); busiest gate \(node\): busy \d+%, 0 in flight, 0 queued$/);
    expect(out.text()).not.toContain('\u001b');

    clock.advance(60_000);
    expect(out.lines()).toHaveLength(2);
  });

  it('stop() writes the state once more and stops; a second stop() does nothing', HANG, async () => {
    const clock = new VirtualClock(0);
    const { c, open } = gatedRun(clock);
    const out = collector();
    const view = liveView(c, { stream: out.stream, clock, everyMs: 2_000 });
    const done = c.run([1, 2, 3]);
    await clock.runUntil(() => out.lines().length === 1, { limitMs: 10_000 });
    view.stop();
    view.stop();
    expect(out.lines()).toEqual([
      expect.stringMatching(/^running 2\.0s: ingested 3, completed 0, pending 3, /),
      expect.stringMatching(/^running 2\.0s: ingested 3, completed 0, pending 3, /),
    ]);
    open();
    expect(await clock.runUntil(done)).toMatchObject({ ok: true, completed: 3 });
    clock.advance(10_000);
    expect(out.lines()).toHaveLength(2);
  });

  it('draws the final state at stop() when the run ended between two lines', HANG, async () => {
    const clock = new VirtualClock(0);
    const c = slowRun(clock);
    const out = collector();
    const view = liveView(c, { stream: out.stream, clock });
    await clock.runUntil(c.run([1, 2]));
    view.stop();
    expect(out.lines()).toEqual([expect.stringMatching(/^ended 2\.0s: ingested 2, completed 2, pending 0, dead-lettered 0, failed 0, /)]);
  });

  it('a stream that closes stops the view; the run goes on unharmed', HANG, async () => {
    const clock = new VirtualClock(0);
    const c = slowRun(clock);
    const out = collector();
    liveView(c, { stream: out.stream, clock, everyMs: 1_000 });
    const done = c.run([1, 2, 3, 4, 5]);
    await clock.runUntil(() => out.lines().length === 2);
    out.stream.destroy();
    expect(await clock.runUntil(done)).toMatchObject({ ok: true, completed: 5 });
    expect(out.lines()).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('a stream whose write throws stops the view, never the run', HANG, async () => {
    const clock = new VirtualClock(0);
    const c = slowRun(clock);
    let writes = 0;
    const broken = {
      write(): boolean {
        writes++;
        throw new Error('EPIPE');
      },
    };
    liveView(c, { stream: broken, clock, everyMs: 1_000 });
    expect(await clock.runUntil(c.run([1, 2, 3]))).toMatchObject({ ok: true, completed: 3 });
    expect(writes).toBe(1);
  });

  it('rejects bad options at once, showing the value', () => {
    const c = new Consecutor(node('n', { process: (x: number) => x }));
    const out = collector();
    expect(() => liveView(c, { stream: out.stream, everyMs: 0 })).toThrow(
      expect.objectContaining({ code: 'OPTIONS_INVALID', message: expect.stringContaining('liveView() option everyMs must be an integer from 1 to 2147483647') }),
    );
    expect(() => liveView(c, { stream: out.stream, everyMs: 1.5 })).toThrow('got number 1.5');
    expect(() => liveView(c, { stream: {} as never })).toThrow('liveView() option stream must be a writable stream, got object {}');
    expect(() => liveView(c, { stream: out.stream, clock: Date as never })).toThrow('liveView() option clock must be a Clock');
    expect(() => liveView(c, { stream: out.stream, everyMS: 100 } as never)).toThrow('unknown liveView() option everyMS (100); known options: stream, everyMs, clock; did you mean everyMs?');
    expect(() => liveView({} as never)).toThrow('liveView(): the first argument must be a Consecutor (with metrics()), got object {}');
  });
});
