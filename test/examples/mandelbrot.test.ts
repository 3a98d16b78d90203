import { describe, expect, it } from 'vitest';
import type { Mode } from 'consecution';
import { main, tiles } from '../../examples/mandelbrot.js';
import { countTile } from '../../examples/nodes/mandelbrot-tile.js';

const modes: Mode[] = ['sync', 'thread', 'process'];
const small = { tiles: 6, points: 24, maxIterations: 200, parallelism: 2, quiet: true } as const;

describe('examples/mandelbrot', () => {
  it.each(modes)('counts every tile like a plain loop, in input order, in %s mode', async (mode) => {
    const { counts, area, report } = await main({ ...small, mode });
    const expected = tiles(small.tiles, small.points, small.maxIterations).map(countTile);
    expect(counts).toEqual(expected);
    expect(report).toMatchObject({ ok: true, ingested: 36, completed: 36 });
    // Coarse, but it is the Mandelbrot set: about 1.5066.
    expect(area).toBeGreaterThan(1.4);
    expect(area).toBeLessThan(1.7);
  });

  it('dead-letters a bad tile with the error from the worker, and counts the rest', async () => {
    const { counts, deadLetter, report } = await main({ ...small, mode: 'thread', badTile: true });
    expect(counts).toHaveLength(36);
    expect(report).toMatchObject({ ingested: 37, completed: 36, deadLettered: 1 });
    expect(deadLetter[0]).toMatchObject({ node: 'count-tile', item: { points: 0 } });
    expect(deadLetter[0]!.error.message).toBe(
      'node "count-tile" failed on item {"x":-2,"y":-1.25,"side":0.4166666666666667,"points":0,"maxIterations":200}: tile (-2, -1.25): points must be an integer >= 1, got 0',
    );
  });
});
