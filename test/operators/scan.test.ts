import { describe, expect, it } from 'vitest';
import { scan } from 'consecution';
import { collect, runNode } from 'consecution/testing';

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
});
