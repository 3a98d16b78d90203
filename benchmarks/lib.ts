// Pieces the scenarios share: the input, Node stream stages, the consecution variants and targets.
import { Transform, Writable, type TransformCallback } from 'node:stream';
import { pipe } from 'rxjs';
import { Consecutor, reduce, type ConsecutorOptions, type Guarantee, type Mode, type Node, type RunReport } from 'consecution';
import type { Target, Variant } from './harness.js';

/** The guarantee levels measured, cheapest first. */
export const GUARANTEES = ['none', 'confirm', 'replay'] as const satisfies readonly Guarantee[];

/** Every guarantee level, cheapest first: `npm run bench:instructions` measures `track` too. */
export const ALL_GUARANTEES = ['none', 'confirm', 'track', 'replay'] as const satisfies readonly Guarantee[];

/** Input items in flight in the offload scenarios' consecutors: room for every worker's batches. */
export const MAX_PENDING = 10_000;

export const consecutionName = (g: Guarantee) => `consecution ${g}`;

/** 0, 1, ..., n - 1 as a packed array of small integers. */
export function integers(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(i);
  return a;
}

export const add = (acc: number, x: number): number => acc + x;

/** The sum of `fn` over the input, by a plain loop: what the offload scenarios must compute. */
export function sumOf(input: readonly number[], fn: (x: number) => number): number {
  let sum = 0;
  for (const x of input) sum += fn(x);
  return sum;
}

// --- Node streams (objectMode) --------------------------------------------------------------

export function mapStream<I, O>(fn: (value: I) => O): Transform {
  return new Transform({
    objectMode: true,
    transform(value: I, _encoding: BufferEncoding, callback: TransformCallback) {
      callback(null, fn(value));
    },
  });
}

export function filterStream<T>(predicate: (value: T) => boolean): Transform {
  return new Transform({
    objectMode: true,
    transform(value: T, _encoding: BufferEncoding, callback: TransformCallback) {
      if (predicate(value)) callback(null, value);
      else callback();
    },
  });
}

/** Arrays of `size` values; the partial last one at the end (bufferCount semantics). */
export function chunkStream<T>(size: number): Transform {
  let batch: T[] = [];
  return new Transform({
    objectMode: true,
    transform(value: T, _encoding: BufferEncoding, callback: TransformCallback) {
      batch.push(value);
      if (batch.length < size) return callback();
      const full = batch;
      batch = [];
      callback(null, full);
    },
    flush(callback: TransformCallback) {
      if (batch.length > 0) this.push(batch);
      batch = [];
      callback();
    },
  });
}

/** The reduce(sum) at the end of a Node pipeline: read `sum` once the pipeline has finished. */
export class SumSink extends Writable {
  sum = 0;

  constructor() {
    super({ objectMode: true });
  }

  override _write(value: number, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sum += value;
    callback();
  }
}

// --- consecution -----------------------------------------------------------------------------

/**
 * One variant per guarantee level. `build` makes the pipeline (ending in a reduce); its single
 * result is captured from the `default` output. A report that is not clean throws: a run that
 * dropped or failed items is not a measurement.
 */
export function consecutionVariants(build: () => Node<number, number>, guarantees: readonly Guarantee[] = GUARANTEES): Variant[] {
  return guarantees.map((guarantee) => consecutionVariant(build, guarantee));
}

/** The variant of one guarantee level: `build()` run in a new consecutor (see consecutionVariants). */
export function consecutionVariant(build: () => Node<number, number>, guarantee: Guarantee): Variant {
  const name = consecutionName(guarantee);
  // Default options (maxPending 1,000): what a user who benchmarks the library gets.
  return { name, run: (input: readonly number[]) => runOnce(name, build(), input, { guarantee }) };
}

/**
 * Runs `pipeline` (ending in a reduce) over `input` in a new consecutor and returns its single
 * result from the `default` output; a report that is not clean throws.
 */
export async function runOnce(
  variant: string,
  pipeline: Node<number, number>,
  input: readonly number[],
  options: Omit<ConsecutorOptions, 'outputs'>,
): Promise<number> {
  const out: number[] = [];
  const c = new Consecutor(pipeline, { ...options, outputs: { default: out } });
  const report = await c.run(input);
  checkReport(variant, report, input.length);
  if (out.length !== 1) throw new Error(`${variant}: expected one result on the default output, got ${out.length}`);
  return out[0]!;
}

function checkReport(variant: string, r: RunReport, items: number): void {
  const clean =
    r.ok && r.ingested === items && r.completed === items && r.failed === 0 && r.retried === 0 && r.deadLettered === 0 && r.errors === 0;
  if (!clean) {
    const { ok, ingested, completed, failed, retried, deadLettered, errors } = r;
    throw new Error(
      `${variant}: run report not clean for ${items} items: ${JSON.stringify({ ok, ingested, completed, failed, retried, deadLettered, errors })}; first failure: ${JSON.stringify(r.failures[0])}`,
    );
  }
}

/** The ratios to raw RxJS that issue 12 asks of the tracked path, with default options. */
export function rxjsTargets(none: number | undefined, confirm: number, replay: number | undefined): Target[] {
  const t: Target[] = [];
  if (none !== undefined) t.push({ variant: consecutionName('none'), baseline: 'rxjs', min: none });
  t.push({ variant: consecutionName('confirm'), baseline: 'rxjs', min: confirm });
  if (replay !== undefined) t.push({ variant: consecutionName('replay'), baseline: 'rxjs', min: replay });
  return t;
}

/** Every consecution variant at least `min` times Node streams. */
export function allVersusNode(min: number): Target[] {
  return GUARANTEES.map((g) => ({ variant: consecutionName(g), baseline: 'node', min }));
}

// --- Worker offload --------------------------------------------------------------------------

/**
 * The URL of a worker module in benchmarks/workers/ (a `defineNode` default export), for offload():
 * the compiled .js beside a compiled harness (`npm run bench`), the .ts under tsx (`bench:sources`).
 */
export const workerModule = (name: string): URL => new URL(`./workers/${name}${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The guarantee of the offload scenarios: the cheapest tracked level, where maxPending applies and
 * the run's report says whether every item completed (the targets are set on it).
 */
export const OFFLOAD_GUARANTEE: Guarantee = 'confirm';

/** A variant that runs `pipe(build(), reduce(sum))` in a consecutor with `mode` (offload scenarios). */
export function offloadVariant(name: string, mode: Mode, build: () => Node<number, number>, baseline?: 'inline'): Variant {
  return {
    name,
    ...(baseline === undefined ? {} : { baseline }),
    run: (input) => runOnce(name, pipe(build(), reduce(add, 0)), input, { guarantee: OFFLOAD_GUARANTEE, maxPending: MAX_PENDING, mode }),
  };
}
