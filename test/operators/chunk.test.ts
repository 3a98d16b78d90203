import { describe, expect, it } from 'vitest';
import { pipe, map as rxMap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { chunk, ConsecutionError, Envelope, node } from 'consecution';
import { collect, RecordingAnchor, runNode } from 'consecution/testing';

const env = <T>(v: T) => new Envelope(v, new RecordingAnchor(), 0, 1, 0);

describe('chunk', () => {
  it('batches by size like bufferCount and flushes the partial batch on completion (marbles)', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const input = cold('a-b-c-d-e|', { a: env(1), b: env(2), c: env(3), d: env(4), e: env(5) });
      const out = input.pipe(chunk<number>(2), rxMap((e) => e.value));
      expectObservable(out).toBe('--x---y--(z|)', { x: [1, 2], y: [3, 4], z: [5] });
    });
  });

  it('batches consecutive items with the same key', async () => {
    const { values } = await runNode(chunk((w: string) => w[0]), ['ax', 'ay', 'bz', 'aq']);
    expect(values).toEqual([['ax', 'ay'], ['bz'], ['aq']]);
  });

  it('anchors a batch to all its items: acking it completes them all, failing it fails them all', async () => {
    const acked = await runNode(chunk<number>(3), [1, 2, 3]);
    expect(acked.anchors.every((a) => a.complete)).toBe(true);
    const held = await runNode(chunk<number>(3), [1, 2, 3], { ackOutputs: false });
    expect(held.anchors.some((a) => a.complete)).toBe(false);

    const { report } = await collect(
      pipe(chunk<number>(2), node('store', { process: (b: number[]) => { if (b.includes(4)) throw new Error('disk full') } })),
      [1, 2, 3, 4],
    );
    expect(report.completed).toBe(2);
    expect(report.deadLettered).toBe(2);
    expect(report.failures.map((f) => f.item)).toEqual([3, 4]);
  });

  it('inside a consecutor, flushes a partial batch when the source is drained, so no item waits forever', async () => {
    // The batch of 10 never fills, yet every item completes without waiting for a timeout.
    const { values, report } = await collect(chunk<number>(10), [1, 2, 3], { timeoutMs: 60_000 });
    expect(values).toEqual([[1, 2, 3]]);
    expect(report.ok).toBe(true);
  });

  it('rejects a bad size at once', () => {
    expect(() => chunk(0)).toThrow(ConsecutionError);
    expect(() => chunk(1.5)).toThrow('chunk(): expected a batch size (an integer >= 1) or a key function, got number 1.5');
  });
});
