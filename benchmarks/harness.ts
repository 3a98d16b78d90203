// The benchmark harness: runs the variants of a scenario round-robin in one process, checks that
// every run computed the raw RxJS result, and reports median throughput, ratios and targets.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { IsolatedVariant } from './isolated.js';

/**
 * The baselines variants are compared with. The throughput scenarios have raw RxJS and Node
 * streams; the worker scenarios (offload-*) have none of those, only the same work done inline.
 */
export type Baseline = 'rxjs' | 'node' | 'lmdb' | 'inline' | 'fs' | 'http' | 'pg' | 'metricsOff' | 'nats' | 'oneCopy';

export const BASELINE_LABEL: Readonly<Record<Baseline, string>> = {
  rxjs: 'raw RxJS',
  node: 'Node streams',
  lmdb: 'raw LMDB',
  inline: 'inline',
  fs: 'raw fs write + fsync',
  http: 'bare node:http',
  pg: 'raw pg',
  metricsOff: 'the same run with metrics: false',
  nats: 'raw nats.js',
  oneCopy: 'consecution, 1 copy',
};

/** The baselines that get a ratio column in the table, when the scenario has them (in this order). */
const COLUMNS: readonly Baseline[] = ['rxjs', 'node', 'inline', 'nats', 'oneCopy'];

/** One way of computing a scenario's workload. */
export interface Variant {
  readonly name: string;
  /** Set on the baseline variants (raw RxJS, Node streams, ...): the ratios are taken against them. */
  readonly baseline?: Baseline;
  /** Runs the whole workload over `input` once and resolves to its result. */
  run(input: readonly number[]): Promise<number>;
  /** Untimed, before each run: what the run starts from (a broker's stream filled with the input). */
  prepare?(input: readonly number[]): Promise<void>;
  /** Untimed, after each run, also a failed one: takes down what prepare() and run() left (streams, processes). */
  cleanup?(): Promise<void>;
}

/** A throughput goal: a ratio to a baseline, or an absolute rate. */
export type Target = RatioTarget | RateTarget;

/** The median of `variant` is at least `min` times the median of `baseline`. */
export interface RatioTarget {
  readonly variant: string;
  readonly baseline: Baseline;
  readonly min: number;
}

/** The median of `variant` is at least `minItemsPerSec` input items per second. */
export interface RateTarget {
  readonly variant: string;
  readonly minItemsPerSec: number;
}

export interface Scenario {
  /** What selects it on the command line: `npm run bench -- w1`. */
  readonly id: string;
  readonly title: string;
  /** Input items per run (throughput is input items per second). */
  readonly items: number;
  /** Builds the input, once, before any run. */
  input(): number[];
  /** The result by a plain loop: checks the raw RxJS baseline itself (or, without one, every variant). */
  expected(input: readonly number[]): number;
  /**
   * Each variant at most once per baseline. Raw RxJS and Node streams are required unless
   * `baselines` says otherwise.
   */
  readonly variants: readonly Variant[];
  readonly targets: readonly Target[];
  /** The baselines this scenario must have. @default ['rxjs', 'node'] */
  readonly baselines?: readonly Baseline[];
  /** Measured rounds when the command line gives no --runs (slow scenarios run fewer). */
  readonly runs?: number;
  /** Warm-up rounds when the command line gives no --warmup. */
  readonly warmup?: number;
  /**
   * Each variant in a process of its own, the rounds interleaved as ever (see isolated.ts), unless
   * the command line says --shared. Only for the scenarios variant-child.ts can build (W1–W3).
   */
  readonly isolate?: boolean;
}

export interface HarnessOptions {
  /** Rounds run and thrown away before measuring. */
  readonly warmup: number;
  /** Rounds measured; each round runs every variant once. */
  readonly runs: number;
  /** Where progress goes (stderr under --json, so that stdout is only the JSON). */
  readonly log: (line: string) => void;
  /** Runs every variant in this process, also those of a scenario that isolates them. */
  readonly shared?: boolean;
}

export interface VariantResult {
  readonly name: string;
  readonly baseline: Baseline | null;
  /** Input items per second of each measured run, in the order run. */
  readonly samples: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** median / raw RxJS median (when the scenario has raw RxJS). */
  readonly vsRxjs?: number;
  /** median / Node streams median (when the scenario has Node streams). */
  readonly vsNode?: number;
  /** median / inline median (when the scenario has an inline baseline). */
  readonly vsInline?: number;
  /** median / raw nats.js median (when the scenario has raw nats.js). */
  readonly vsNats?: number;
  /** median / the one-copy run's median (when the scenario compares copies). */
  readonly vsOneCopy?: number;
}

export type TargetResult =
  | (RatioTarget & { readonly ratio: number; readonly pass: boolean })
  | (RateTarget & { readonly itemsPerSec: number; readonly pass: boolean });

export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly items: number;
  /** What every variant computed. */
  readonly result: number;
  readonly warmup: number;
  readonly runs: number;
  /** Whether each variant ran in a process of its own (see isolated.ts). */
  readonly isolated: boolean;
  readonly variants: readonly VariantResult[];
  readonly targets: readonly TargetResult[];
}

export interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cpus: number;
  readonly node: string;
  readonly rxjs: string;
  readonly platform: string;
  /** The commit measured, with `+dirty` when src/ or operators/ have uncommitted changes. */
  readonly commit: string;
  /** What ran: the built package (`npm run bench`) or the TypeScript sources under tsx (`bench:sources`). */
  readonly code: string;
  /** Whether runs are preceded by a full GC (see forceGc). */
  readonly gcBetweenRuns: boolean;
  /** The 1-minute load average when the suite started: other work on the machine skews the numbers. */
  readonly loadAverage: number;
}

/**
 * A full GC, or nothing if it cannot be had. Collecting before each run keeps the garbage of one
 * variant from being charged to the next one.
 */
const forceGc: (() => void) | undefined = (() => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn: unknown = vm.runInNewContext('gc');
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
})();

export function machine(): Machine {
  const require = createRequire(import.meta.url);
  const rxjs = (require('rxjs/package.json') as { version: string }).version;
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cpus: os.cpus().length,
    node: process.version,
    rxjs,
    platform: `${os.platform()} ${os.arch()}`,
    commit: commit(),
    code: import.meta.url.endsWith('.ts') ? 'TypeScript sources under tsx (workers load tsx too)' : 'the built package (dist/), as installed from npm',
    gcBetweenRuns: forceGc !== undefined,
    loadAverage: os.loadavg()[0] ?? 0,
  };
}

function commit(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', 'src', 'operators') === '' ? head : `${head}+dirty`;
  } catch {
    return 'unknown';
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs `warmup + runs` rounds; each round runs every variant once, starting one variant later
 * than the previous round, so that no variant always follows the same one. Every run's result is
 * checked: a variant that computes something else than raw RxJS (or, in a scenario without raw
 * RxJS, the plain loop) throws.
 */
export async function runScenario(scenario: Scenario, options: HarnessOptions): Promise<ScenarioResult> {
  const { variants } = scenario;
  for (const b of scenario.baselines ?? ['rxjs', 'node']) baselineOf(scenario, b);
  for (const t of scenario.targets) {
    if (!variants.some((v) => v.name === t.variant)) throw new Error(`${scenario.id}: target names unknown variant "${t.variant}"`);
    if ('baseline' in t) baselineOf(scenario, t.baseline);
  }

  const input = scenario.input();
  if (input.length !== scenario.items) throw new Error(`${scenario.id}: input has ${input.length} items, expected ${scenario.items}`);
  const expected = scenario.expected(input);
  // The reference is what raw RxJS computes; it must agree with the plain loop.
  const rxjs = findBaseline(scenario, 'rxjs');
  const reference = rxjs === undefined ? expected : await rxjs.run(input);
  if (reference !== expected) {
    throw new Error(`${scenario.id}: raw RxJS computed ${reference}, the plain loop ${expected}: the baseline itself is wrong`);
  }
  const referenceName = rxjs === undefined ? 'the plain loop' : 'raw RxJS';

  const samples = variants.map((): number[] => []);
  const rounds = options.warmup + options.runs;
  const isolated = scenario.isolate === true && options.shared !== true ? variants.map((v) => new IsolatedVariant(scenario.id, v)) : undefined;
  try {
    for (let round = 0; round < rounds; round++) {
      const measuring = round >= options.warmup;
      options.log(`  ${scenario.id} round ${round + 1}/${rounds}${measuring ? '' : ' (warm-up)'}`);
      for (let k = 0; k < variants.length; k++) {
        const i = (round + k) % variants.length;
        const v = variants[i]!;
        const { result, ms } = await (isolated === undefined ? timeOnce(v, input, forceGc) : isolated[i]!.measure());
        if (result !== reference) {
          throw new Error(
            `${scenario.id}: variant "${v.name}" computed ${result}, ${referenceName} computed ${reference} (round ${round + 1}): the benchmark or the library is wrong`,
          );
        }
        if (measuring) samples[i]!.push((scenario.items / ms) * 1000);
      }
    }
  } finally {
    await Promise.all((isolated ?? []).map((v) => v.close()));
  }

  const medians = samples.map(median);
  const medianOf = (b: Baseline): number | undefined => {
    const v = findBaseline(scenario, b);
    return v === undefined ? undefined : medians[variants.indexOf(v)];
  };
  const [rxjsMedian, nodeMedian, inlineMedian, natsMedian, oneCopyMedian] = [medianOf('rxjs'), medianOf('node'), medianOf('inline'), medianOf('nats'), medianOf('oneCopy')];
  const results: VariantResult[] = variants.map((v, i) => ({
    name: v.name,
    baseline: v.baseline ?? null,
    samples: samples[i]!,
    median: medians[i]!,
    min: Math.min(...samples[i]!),
    max: Math.max(...samples[i]!),
    ...(rxjsMedian === undefined ? {} : { vsRxjs: medians[i]! / rxjsMedian }),
    ...(nodeMedian === undefined ? {} : { vsNode: medians[i]! / nodeMedian }),
    ...(inlineMedian === undefined ? {} : { vsInline: medians[i]! / inlineMedian }),
    ...(natsMedian === undefined ? {} : { vsNats: medians[i]! / natsMedian }),
    ...(oneCopyMedian === undefined ? {} : { vsOneCopy: medians[i]! / oneCopyMedian }),
  }));
  const targets: TargetResult[] = scenario.targets.map((t) => {
    const r = results.find((x) => x.name === t.variant)!;
    if (!('baseline' in t)) return { ...t, itemsPerSec: r.median, pass: r.median >= t.minItemsPerSec };
    const ratio = r.median / medianOf(t.baseline)!;
    return { ...t, ratio, pass: ratio >= t.min };
  });
  return {
    id: scenario.id,
    title: scenario.title,
    items: scenario.items,
    result: reference,
    warmup: options.warmup,
    runs: options.runs,
    isolated: isolated !== undefined,
    variants: results,
    targets,
  };
}

/**
 * One timed run of a variant: prepared (untimed), a full GC if `gc` is given, the run, cleaned up
 * (untimed, also after a failed run). In this process, or in a variant's child (variant-child.ts).
 */
export async function timeOnce(v: Variant, input: readonly number[], gc: (() => void) | undefined): Promise<{ result: number; ms: number }> {
  try {
    await v.prepare?.(input);
    gc?.();
    const t0 = performance.now();
    const result = await v.run(input);
    return { result, ms: performance.now() - t0 };
  } finally {
    await v.cleanup?.();
  }
}

function baselineOf(scenario: Scenario, baseline: Baseline): Variant {
  const found = scenario.variants.filter((v) => v.baseline === baseline);
  if (found.length !== 1) throw new Error(`${scenario.id}: needs exactly one ${BASELINE_LABEL[baseline]} variant, has ${found.length}`);
  return found[0]!;
}

/** The scenario's variant for `baseline`, if it has one (never more than one). */
function findBaseline(scenario: Scenario, baseline: Baseline): Variant | undefined {
  return scenario.variants.some((v) => v.baseline === baseline) ? baselineOf(scenario, baseline) : undefined;
}

// --- Formatting (Markdown, so that a run can be pasted into the README as it is) -------------

const mps = (itemsPerSec: number) => (itemsPerSec / 1e6).toFixed(2);
const times = (ratio: number) => `${ratio.toFixed(2)}×`;

export function formatMachine(m: Machine): string {
  return [
    `date:    ${m.date}`,
    `machine: ${m.cpu}, ${m.cpus} CPUs, ${m.platform}`,
    `runtime: Node ${m.node}, rxjs ${m.rxjs}`,
    `commit:  ${m.commit}`,
    `code:    ${m.code}`,
    `gc:      ${m.gcBetweenRuns ? 'full GC before every run' : 'not forced (gc unavailable)'}`,
    `load:    ${m.loadAverage.toFixed(2)} (1-min average at start)${
      m.loadAverage > 0.5 ? ` WARNING: the machine is busy (${m.cpus} CPUs); numbers will be noisy and low` : ''
    }`,
  ].join('\n');
}

const ratioTo = (v: VariantResult, b: Baseline): number | undefined =>
  ({ rxjs: v.vsRxjs, node: v.vsNode, inline: v.vsInline, nats: v.vsNats, oneCopy: v.vsOneCopy } as Partial<Record<Baseline, number>>)[b];

export function formatScenario(r: ScenarioResult): string {
  // A ratio column for each of raw RxJS, Node streams, inline, raw nats.js and one copy that the scenario has.
  const columns = COLUMNS.filter((b) => r.variants.some((v) => v.baseline === b));
  // Thousands of items/s when every variant is below 0.1 M items/s (CPU-bound work), plain items/s below 10,000.
  const slow = r.variants.every((v) => v.median < 100_000);
  const slowest = r.variants.every((v) => v.max < 10_000);
  const rate = slowest ? (itemsPerSec: number) => itemsPerSec.toFixed(0) : slow ? (itemsPerSec: number) => (itemsPerSec / 1e3).toFixed(1) : mps;
  const rows = r.variants.map((v) => [
    v.name,
    rate(v.median),
    `${rate(v.min)}–${rate(v.max)}`,
    ...columns.map((b) => times(ratioTo(v, b)!)),
  ]);
  const header = ['variant', `${slowest ? '' : slow ? 'k ' : 'M '}items/s (median)`, 'min–max', ...columns.map((b) => `× ${BASELINE_LABEL[b]}`)];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  const out = [
    `### ${r.id.toUpperCase()}: ${r.title}`,
    '',
    `${r.items.toLocaleString('en-US')} input items, result ${r.result} (every variant checked), median of ${r.runs} runs after ${r.warmup} warm-up rounds, ${
      r.isolated ? 'each variant in a process of its own' : 'all variants in this process'
    }`,
    '',
    line(header),
    rule,
    ...rows.map(line),
    '',
  ];
  for (const t of r.targets) {
    out.push(
      'baseline' in t
        ? `- ${t.pass ? 'PASS' : 'MISS'}  ${t.variant} ≥ ${times(t.min)} ${BASELINE_LABEL[t.baseline]}: ${times(t.ratio)}`
        : `- ${t.pass ? 'PASS' : 'MISS'}  ${t.variant} ≥ ${mps(t.minItemsPerSec)} M items/s: ${mps(t.itemsPerSec)} M items/s`,
    );
  }
  return out.join('\n');
}

export function formatSummary(results: readonly ScenarioResult[]): string {
  const all = results.flatMap((r) => r.targets.map((t) => ({ ...t, id: r.id })));
  const missed = all.filter((t) => !t.pass);
  return `targets: ${all.length - missed.length}/${all.length} PASS${
    missed.length === 0
      ? ''
      : `; MISS: ${missed
          .map((t) =>
            'baseline' in t
              ? `${t.id.toUpperCase()} ${t.variant} vs ${BASELINE_LABEL[t.baseline]} (${times(t.ratio)} < ${times(t.min)})`
              : `${t.id.toUpperCase()} ${t.variant} (${mps(t.itemsPerSec)} < ${mps(t.minItemsPerSec)} M items/s)`,
          )
          .join(', ')}`
  }`;
}
