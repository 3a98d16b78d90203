import { describe, expect, it } from 'vitest';
import { Consecutor, ConsecutionError, node, output, type FailureRecord } from 'consecution';

// One confirmed-write path for output(), the pipeline's end, ctx.write and dead letters: a write
// that rejects fails its item with OUTPUT_FAILED naming the output; one that never confirms is
// given up. Only outcomes are asserted, never how long anything took.

const never = () => new Promise<void>(() => {});
const what = (f: FailureRecord) => ({ item: f.item, node: f.node, code: f.error.code });

/** A node that writes every item to output "rows". */
const writer = node('writer', {
  process(x: number, ctx) {
    ctx.write('rows', x);
  },
});

describe('ctx.write through the confirmed-write path', () => {
  it("under guarantee 'none' a write that never confirms is given up after timeoutMs with OUTPUT_FAILED", async () => {
    const rows = { append: (x: number) => (x === 5 ? never() : Promise.resolve()) };
    const report = await new Consecutor(writer, { guarantee: 'none', timeoutMs: 300, outputs: { rows } }).run([4, 5, 6]);
    expect(report).toMatchObject({ ok: false, failed: 1 });
    expect(report.failures.map(what)).toEqual([{ item: 5, node: 'rows', code: 'OUTPUT_FAILED' }]);
    expect(report.failures[0]!.error.message).toBe('output "rows" did not confirm the write of item 5 by node "writer" within timeoutMs=300');
  });

  it("under guarantee 'none' the run waits for a write confirmed later, and counts one that rejects", async () => {
    const written: number[] = [];
    const rows = {
      async append(x: number) {
        await new Promise((resolve) => setImmediate(resolve));
        if (x === 2) throw new Error('disk full');
        written.push(x);
      },
    };
    const report = await new Consecutor(writer, { guarantee: 'none', outputs: { rows } }).run([1, 2, 3]);
    expect(written).toEqual([1, 3]);
    expect(report).toMatchObject({ ok: false, failed: 1 });
    expect(report.failures.map(what)).toEqual([{ item: 2, node: 'rows', code: 'OUTPUT_FAILED' }]);
    expect(report.failures[0]!.error.message).toBe('output "rows" failed to write item 2 by node "writer": disk full');
  });

  it('a rejected write fails its item with OUTPUT_FAILED naming the output, for output() and ctx.write alike', async () => {
    const rejecting = { append: (x: number) => (x === 2 ? Promise.reject(new Error('disk full')) : Promise.resolve()) };
    const options = { guarantee: 'track', outputs: { rows: rejecting } } as const;
    const [byStage, byNode] = await Promise.all([new Consecutor(output('rows'), options).run([1, 2, 3]), new Consecutor(writer, options).run([1, 2, 3])]);
    for (const report of [byStage, byNode]) {
      expect(report).toMatchObject({ completed: 2, deadLettered: 1 });
      expect(report.failures.map(what)).toEqual([{ item: 2, node: 'rows', code: 'OUTPUT_FAILED' }]);
    }
    expect(byStage.failures[0]!.error.message).toBe('output "rows" failed to write item 2: disk full');
    expect(byStage.nodes.rows).toMatchObject({ received: 3, acked: 2, failed: 1, inFlight: 0 });
  });

  it('a write that throws at once fails its item the same way', async () => {
    const throwing = {
      push(x: number) {
        if (x === 2) throw new Error('full');
      },
    };
    const report = await new Consecutor(output('rows'), { guarantee: 'track', outputs: { rows: throwing } }).run([1, 2, 3]);
    expect(report).toMatchObject({ completed: 2, deadLettered: 1 });
    expect(report.failures.map((f) => [f.node, f.error.code, f.error.message])).toEqual([['rows', 'OUTPUT_FAILED', 'output "rows" failed to write item 2: full']]);
  });

  it('a target that says trying again cannot help is not replayed', async () => {
    let writes = 0;
    const target = (error: Error) => ({ append: () => (writes++, Promise.reject(error)) });
    const options = { guarantee: 'replay', retries: 2 } as const;
    const busy = await new Consecutor(output('rows'), { ...options, outputs: { rows: target(new Error('HTTP 503')) } }).run([1]);
    expect(busy).toMatchObject({ retried: 2, deadLettered: 1 });
    expect(writes).toBe(3);
    writes = 0;
    const refused = new ConsecutionError('OUTPUT_FAILED', 'HTTP 422', { retryable: false });
    const final = await new Consecutor(output('rows'), { ...options, outputs: { rows: target(refused) } }).run([1]);
    expect(final).toMatchObject({ retried: 0, deadLettered: 1 });
    expect(writes).toBe(1);
  });
});
