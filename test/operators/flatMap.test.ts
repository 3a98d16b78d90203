import { describe, expect, it } from 'vitest';
import { flatMap } from 'consecution';
import { collect, runNode } from 'consecution/testing';

describe('flatMap', () => {
  it('emits every child in order; the item completes when all children are acked', async () => {
    const { values, anchors } = await runNode(flatMap((s: string) => s.split('')), ['ab', 'cde']);
    expect(values).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(anchors.map((a) => a.complete)).toEqual([true, true]);
    // one acker update per split (k-1 new edges XORed in at once), whatever k is
    expect(anchors.map((a) => a.adds)).toEqual([1, 1]);
  });

  it('does not complete the item while a child is still unacked', async () => {
    const { anchors } = await runNode(flatMap((n: number) => [n, n]), [1], { ackOutputs: false });
    expect(anchors[0]!.complete).toBe(false);
  });

  it('acks an item that expands to nothing', async () => {
    const { values, anchors } = await runNode(flatMap(() => []), [1, 2]);
    expect(values).toEqual([]);
    expect(anchors.every((a) => a.complete)).toBe(true);
  });

  it('takes any iterable, and fails the item when fn returns something else', async () => {
    function* twice(x: number) {
      yield x;
      yield x;
    }
    const { values, report } = await collect(flatMap((x: number) => (x === 3 ? (42 as never) : twice(x))), [1, 3]);
    expect(values).toEqual([1, 1]);
    expect(report.failures[0]!.error.message).toContain('expected an array or an iterable, got number');
  });
});
