import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { broadcast, Consecutor, output, scan } from 'consecution';
import { collect, runNode } from 'consecution/testing';
import { delayed, failFirstTry } from './flaky.js';

describe('scan', () => {
  it('emits the running state; each output keeps its input anchor', async () => {
    const { values, anchors } = await runNode(scan((sum: number, x: number) => sum + x, 0), [1, 2, 3]);
    expect(values).toEqual([1, 3, 6]);
    expect(anchors.every((a) => a.complete && a.adds === 0)).toBe(true);
  });

  it('leaves the state unchanged when fn throws', async () => {
    const { values, report } = await collect(
      scan('sum', (sum: number, x: number) => {
        if (x < 0) throw new Error('negative');
        return sum + x;
      }, 0),
      [1, -5, 2],
    );
    expect(values).toEqual([1, 3]);
    expect(report.failures[0]).toMatchObject({ node: 'sum', item: -5 });
  });

  it("under 'replay', an item whose output fails downstream at once is folded once, whatever the attempt", async () => {
    // The scan's release passes the item on synchronously, so the downstream failure replays the
    // item before the scan's fold call returns: its fold must already be on record then.
    const flaky = failFirstTry('flaky', (sum) => sum % 2 === 0);
    const out: number[] = [];
    const input = Array.from({ length: 50 }, (_, i) => i + 1);
    const report = await new Consecutor(pipe(scan('sum', (acc: number, x: number) => acc + x, 0), flaky, output('out')), {
      guarantee: 'replay',
      retries: 2,
      outputs: { out },
    }).run(input);
    expect(report).toMatchObject({ ok: true, completed: 50, deadLettered: 0 });
    expect(report.retried).toBeGreaterThan(0);
    // Each item emits its running sum once it gets through: the prefix sums, each exactly once.
    const prefix = input.map((_, i) => ((i + 1) * (i + 2)) / 2);
    expect([...out].sort((a, b) => a - b)).toEqual(prefix);
  });

  it("under 'replay', a late copy of a failed attempt is not folded or emitted", async () => {
    const failFirst = failFirstTry('fail-first', (x) => x === 2);
    const slow = delayed('slow', 20, 10);
    const out: number[] = [];
    const p = broadcast(pipe(slow, scan('sum', (a: number, x: number) => a + x, 0), output('out')), failFirst);
    const report = await new Consecutor(p, { guarantee: 'replay', retries: 2, outputs: { out } }).run([1, 2, 3]);
    expect(report).toMatchObject({ ok: true, completed: 3, retried: 1 });
    // 2's first copy is dropped at the scan; its replay (sent in before 3 is read) folds it once.
    // Without the drop: 1, 3, 5, 8.
    expect(out).toEqual([1, 3, 6]);
  });
});
