/**
 * Estimates the area of the Mandelbrot set (about 1.5066) by counting, tile by tile, the points of
 * a grid that are in the set: a CPU-bound node run on the main thread, on worker threads or in
 * child processes. The consecutor's `mode` is the only thing that changes between the three.
 *
 * The node lives in its own module (examples/nodes/mandelbrot-tile.ts, a `defineNode` default
 * export) and `offload()` runs it in a pool of workers. `ordered()` puts the tiles back in input
 * order after the parallel stage. A tile with bad parameters fails in the worker: the error comes
 * back with the node's name and the tile, and the tile is dead-lettered while the rest go on.
 *
 * Run it with `npx tsx examples/mandelbrot.ts [sync|thread|process]`.
 */
import { pipe } from 'rxjs';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Consecutor, offload, ordered, output, type FailureRecord, type Mode, type RunReport } from 'consecution';
import type { Tile, TileCount } from './nodes/mandelbrot-tile.js';

export interface MandelbrotOptions {
  /** Where the node runs. @default 'thread' */
  readonly mode?: Mode;
  /** Tiles per side of the region [-2, 0.5] × [-1.25, 1.25]. @default 16 */
  readonly tiles?: number;
  /** Grid points per tile side. @default 64 */
  readonly points?: number;
  /** @default 1000 */
  readonly maxIterations?: number;
  /** Workers. @default the number of CPUs */
  readonly parallelism?: number;
  /** Add one tile with bad parameters, to see it dead-lettered. @default false */
  readonly badTile?: boolean;
  /** Print nothing. @default false */
  readonly quiet?: boolean;
}

export interface MandelbrotResult {
  /** The area estimate: the share of points in the set times the region's area. */
  readonly area: number;
  /** The tiles' counts, in input order. */
  readonly counts: readonly TileCount[];
  readonly deadLetter: readonly FailureRecord[];
  readonly report: RunReport;
}

/** The region is symmetric about the real axis, and holds the whole set. */
const REGION = { x: -2, y: -1.25, side: 2.5 };

/** The tiles of the region, row by row. */
export function tiles(perSide: number, points: number, maxIterations: number): Tile[] {
  const side = REGION.side / perSide;
  const out: Tile[] = [];
  for (let i = 0; i < perSide; i++) {
    for (let j = 0; j < perSide; j++) out.push({ x: REGION.x + j * side, y: REGION.y + i * side, side, points, maxIterations });
  }
  return out;
}

/** The pipeline: tiles in, their counts out (to the output `counts`), in input order. */
export function mandelbrot(parallelism: number) {
  return pipe(
    offload<Tile, TileCount>('count-tile', new URL('./nodes/mandelbrot-tile.ts', import.meta.url), { parallelism, batch: 4 }),
    ordered<TileCount>(),
    output('counts'),
  );
}

export async function main(options: MandelbrotOptions = {}): Promise<MandelbrotResult> {
  const { mode = 'thread', tiles: perSide = 16, points = 64, maxIterations = 1000, parallelism = availableParallelism() } = options;
  const input = tiles(perSide, points, maxIterations);
  if (options.badTile === true) input.splice(input.length >> 1, 0, { ...input[0]!, points: 0 });
  const counts: TileCount[] = [];
  const deadLetter: FailureRecord[] = [];
  const c = new Consecutor(mandelbrot(parallelism), { mode, guarantee: 'replay', outputs: { counts, deadLetter } });
  const report = await c.run(input);
  let inside = 0;
  let sampled = 0;
  for (const t of counts) {
    inside += t.inside;
    sampled += t.sampled;
  }
  const area = sampled === 0 ? 0 : (inside / sampled) * REGION.side * REGION.side;
  if (options.quiet !== true) {
    const where = mode === 'sync' ? 'on the main thread' : `on ${parallelism} ${mode === 'thread' ? 'worker threads' : 'child processes'}`;
    console.log(`area of the Mandelbrot set ≈ ${area.toFixed(4)}: ${counts.length} tiles of ${points}² points counted ${where} in ${Math.round(report.durationMs)} ms`);
    for (const d of deadLetter) console.log(`  dead-lettered at node "${d.node}": ${d.error.message}`);
  }
  return { area, counts, deadLetter, report };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const mode = process.argv[2] ?? 'thread';
  if (mode !== 'sync' && mode !== 'thread' && mode !== 'process') {
    console.error(`usage: npx tsx examples/mandelbrot.ts [sync|thread|process]; got mode ${JSON.stringify(mode)}`);
    process.exit(2);
  }
  const { report } = await main({ mode, badTile: true });
  // The one bad tile is dead-lettered on purpose; anything else is a failure.
  if (report.deadLettered !== 1 || report.completed !== report.ingested - 1 || report.errors > 0) process.exitCode = 1;
}
