import { describe, expect, it } from 'vitest';
import { blocksOf, main } from '../../examples/parallel-download.js';

describe('examples/parallel-download', () => {
  it('downloads 32 MiB in blocks, 8 at a time, out of order, and writes them in order: the copy has the same sha256', async () => {
    const r = await main({ quiet: true });
    expect(r.blocks).toBe(128);
    expect(r.copySha256).toBe(r.sourceSha256);
    expect(r.report).toMatchObject({ ok: true, ingested: 128, completed: 128, deadLettered: 0 });
    // They finished out of order (the server answers block 0 after three others) ...
    expect(r.arrived).not.toEqual([...r.arrived].sort((a, b) => a - b));
    expect(r.arrived.indexOf(0)).toBeGreaterThanOrEqual(3);
    // ... and were written in order.
    expect(r.written).toEqual(r.arrived.map((_, i) => i));
  });

  it('fetches the block whose request failed again, alone', async () => {
    const r = await main({ quiet: true, fileBytes: 4 << 20, blockBytes: 64 << 10, failingBlock: 9 });
    expect(r.copySha256).toBe(r.sourceSha256);
    expect(r.requests).toEqual(r.requests.map((_, i) => (i === 9 ? 2 : 1)));
    expect(r.report.nodes['download']).toMatchObject({ failed: 0 });
  });

  it('holds at most maxPending blocks in memory, whatever the file size', async () => {
    const r = await main({ quiet: true, fileBytes: 16 << 20, blockBytes: 64 << 10, maxPending: 8, concurrency: 4 });
    expect(r.copySha256).toBe(r.sourceSha256);
    expect(r.peakHeldBytes).toBeGreaterThan(0);
    expect(r.peakHeldBytes).toBeLessThanOrEqual(8 * (64 << 10));
  });

  it('cuts a file into blocks whose last one may be short', () => {
    expect([...blocksOf(10, 4)]).toEqual([
      { index: 0, start: 0, end: 3 },
      { index: 1, start: 4, end: 7 },
      { index: 2, start: 8, end: 9 },
    ]);
  });
});
