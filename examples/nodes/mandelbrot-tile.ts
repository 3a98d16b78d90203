/**
 * The node that examples/mandelbrot.ts offloads: how many points of one square tile of the plane
 * are in the Mandelbrot set. CPU-bound by design (a few ms per tile). It lives in its own module
 * because a worker loads it from there: what crosses to the worker is the tile, not the function.
 */
import { defineNode } from 'consecution/node';

export interface Tile {
  /** The tile's lower-left corner. */
  readonly x: number;
  readonly y: number;
  /** The tile's side, in the plane. */
  readonly side: number;
  /** Points per side: the tile is sampled on a grid of `points` × `points`. */
  readonly points: number;
  /** Iterations after which a point counts as in the set. */
  readonly maxIterations: number;
}

export interface TileCount {
  readonly x: number;
  readonly y: number;
  /** Points of the grid that are in the set. */
  readonly inside: number;
  /** Points sampled. */
  readonly sampled: number;
}

/** Counts the grid points of `tile` whose orbit stays bounded for `maxIterations` iterations. */
export function countTile(tile: Tile): TileCount {
  const { x, y, side, points, maxIterations } = tile;
  if (!Number.isInteger(points) || points < 1) throw new RangeError(`tile (${x}, ${y}): points must be an integer >= 1, got ${points}`);
  const step = side / points;
  let inside = 0;
  for (let i = 0; i < points; i++) {
    const ci = y + (i + 0.5) * step;
    for (let j = 0; j < points; j++) {
      const cr = x + (j + 0.5) * step;
      let zr = 0;
      let zi = 0;
      let n = 0;
      for (; n < maxIterations && zr * zr + zi * zi <= 4; n++) {
        const t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
      }
      if (n === maxIterations) inside++;
    }
  }
  return { x, y, inside, sampled: points * points };
}

export default defineNode({ name: 'count-tile', process: countTile });
