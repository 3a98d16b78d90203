import { describe, expect, it } from 'vitest';
import { BatchSizer } from '../../src/worker/sizer.js';

describe('BatchSizer', () => {
  it('starts small, and grows to the full batch for fast items', () => {
    const s = new BatchSizer(1024, 100);
    expect(s.limit).toBe(2);
    s.answered(2, 0);
    expect(s.limit).toBe(1024);
    s.answered(1024, 2);
    expect(s.limit).toBe(1024);
  });

  it('keeps a batch of slow items within the target time, one item at the least', () => {
    const s = new BatchSizer(256, 100);
    s.answered(2, 2 * 20); // 20 ms an item: 5 make 100 ms
    expect(s.limit).toBe(5);
    s.answered(5, 5 * 500); // slower still: averaged, then one at a time
    expect(s.limit).toBe(1);
    s.answered(1, 0.1);
    s.answered(1, 0.1);
    s.answered(1, 0.1);
    expect(s.limit).toBeGreaterThan(1);
  });

  it('never goes above the offload\'s batch', () => {
    const s = new BatchSizer(8, 100);
    s.answered(2, 0);
    expect(s.limit).toBe(8);
    s.answered(8, 1);
    expect(s.limit).toBe(8);
    expect(new BatchSizer(1, 100).limit).toBe(1);
  });

  it("never goes below the node's concurrency: a smaller batch would leave a worker's lanes idle", () => {
    const s = new BatchSizer(256, 100);
    s.parallel(50);
    expect(s.limit).toBe(50);
    s.answered(50, 1_000); // 20 ms an item would make 5 a batch: the lanes keep it at 50
    expect(s.limit).toBe(50);
    s.answered(50, 20); // all 50 at once in 20 ms: 0.4 ms an item, taken at once
    expect(s.limit).toBe(250);
    expect(((x) => (x.parallel(1_000), x.limit))(new BatchSizer(8, 100))).toBe(8);
  });
});
