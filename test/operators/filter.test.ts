import { describe, expect, it } from 'vitest';
import { filter } from 'consecution';
import { runNode } from 'consecution/testing';

describe('filter', () => {
  it('acks the items it drops: they are complete', async () => {
    const { values, anchors } = await runNode(filter((x: number) => x % 2 === 0), [1, 2, 3, 4]);
    expect(values).toEqual([2, 4]);
    expect(anchors.every((a) => a.complete)).toBe(true);
  });
});
