/**
 * Great-circle distances between the ten busiest US airports.
 *
 * The input is every unordered pair of airport codes (45 of them). An async `node` geocodes each
 * pair, four at a time, with a simulated lookup in an embedded table. A `map` computes the
 * haversine distance, and a `broadcast` sends each route both to an NDJSON file and to an array.
 * The file is an output container whose `append()` returns a promise, so a route is acked only
 * once its line has been written.
 *
 * Run it with `npx tsx examples/airports.ts [file.ndjson]`.
 */
import { pipe } from 'rxjs';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { broadcast, Consecutor, fromIterable, map, node, output, type Node, type RunReport } from 'consecution';

export interface Airport {
  readonly code: string;
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
}

/** The ten busiest US airports by passengers, with approximate coordinates. */
export const AIRPORTS: readonly Airport[] = [
  { code: 'ATL', name: 'Hartsfield-Jackson Atlanta International', lat: 33.64, lon: -84.43 },
  { code: 'DFW', name: 'Dallas/Fort Worth International', lat: 32.9, lon: -97.04 },
  { code: 'DEN', name: 'Denver International', lat: 39.86, lon: -104.67 },
  { code: 'ORD', name: "Chicago O'Hare International", lat: 41.98, lon: -87.9 },
  { code: 'LAX', name: 'Los Angeles International', lat: 33.94, lon: -118.41 },
  { code: 'JFK', name: 'John F. Kennedy International', lat: 40.64, lon: -73.78 },
  { code: 'CLT', name: 'Charlotte Douglas International', lat: 35.21, lon: -80.94 },
  { code: 'LAS', name: 'Harry Reid International', lat: 36.08, lon: -115.15 },
  { code: 'MCO', name: 'Orlando International', lat: 28.43, lon: -81.31 },
  { code: 'MIA', name: 'Miami International', lat: 25.8, lon: -80.29 },
];

export type Pair = readonly [from: string, to: string];

export interface Route {
  readonly from: string;
  readonly to: string;
  readonly km: number;
}

export interface AirportsOptions {
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** The NDJSON file the routes are written to (truncated first). @default a new file in a temporary directory */
  readonly file?: string;
}

export interface AirportsResult {
  /** Every route, in the order they were written. */
  readonly routes: readonly Route[];
  /** The NDJSON file holding the same routes. */
  readonly file: string;
  readonly report: RunReport;
}

/** Every unordered pair of codes. */
export function pairs(codes: readonly string[]): Pair[] {
  return codes.flatMap((from, i) => codes.slice(i + 1).map((to): Pair => [from, to]));
}

const byCode = new Map(AIRPORTS.map((a) => [a.code, a]));

/** Looks an airport up as a remote geocoding service would: asynchronously. */
async function lookUp(code: string): Promise<Airport> {
  await nextTick();
  const airport = byCode.get(code);
  if (airport === undefined) throw new Error(`unknown airport code ${code}`);
  return airport;
}

/** The great-circle distance in km (haversine, mean Earth radius). */
export function haversineKm(a: Airport, b: Airport): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** An output container that appends each value as a line of NDJSON; `append()` resolves once the line is written. */
export class NdjsonFile {
  private readonly stream: WriteStream;

  constructor(readonly path: string) {
    this.stream = createWriteStream(path, { flags: 'w' });
  }

  append(value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(`${JSON.stringify(value)}\n`, (e) => (e ? reject(e) : resolve()));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}

/** The pipeline: pairs of codes in, routes out to the outputs `file` and `routes`. */
export function distances(): Node<Pair, never> {
  return pipe(
    node('geocode', {
      concurrency: 4,
      async process([from, to]: Pair) {
        return [await lookUp(from), await lookUp(to)] as const;
      },
    }),
    map('distance', ([a, b]: readonly [Airport, Airport]): Route => ({ from: a.code, to: b.code, km: Math.round(haversineKm(a, b)) })),
    broadcast('sinks', output<Route>('file'), output<Route>('routes')),
  );
}

/** Computes the distance of every pair of airports, writes them to a file and returns them with the run's report. */
export async function main(options: AirportsOptions = {}): Promise<AirportsResult> {
  const { quiet = false } = options;
  const file = new NdjsonFile(options.file ?? join(await mkdtemp(join(tmpdir(), 'consecution-airports-')), 'routes.ndjson'));
  const routes: Route[] = [];
  let report: RunReport;
  try {
    report = await new Consecutor(distances(), { outputs: { file, routes } }).run(fromIterable(pairs(AIRPORTS.map((a) => a.code))));
  } finally {
    await file.close();
  }

  if (!quiet) {
    const longest = [...routes].sort((a, b) => b.km - a.km).slice(0, 5);
    console.log(`${routes.length} routes between the ${AIRPORTS.length} busiest US airports, written to ${file.path}\n`);
    console.log('  The 5 longest:');
    for (const r of longest) console.log(`    ${r.from} - ${r.to}  ${r.km.toLocaleString('en-US').padStart(5)} km`);
    console.log(`\n  ${report.completed}/${report.ingested} pairs completed, ${report.deadLettered} dead-lettered, in ${Math.round(report.durationMs)} ms`);
  }
  return { routes, file: file.path, report };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  const { report } = await main(file === undefined ? {} : { file });
  if (!report.ok) process.exitCode = 1;
}
