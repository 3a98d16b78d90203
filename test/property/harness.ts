// Runs a described pipeline in a consecutor and checks what the run did against the model.
import { expect } from 'vitest';
import { Consecutor, type FailureRecord, type Guarantee, type RunReport } from 'consecution';
import type { VirtualClock } from 'consecution/testing';
import { build, model, type ItemModel, type Model, type Pipeline, type Val } from './pipelines.js';
import { recordingSource, within, type RecordingSource } from './sources.js';

export interface Outcome {
  readonly report: RunReport;
  /** What left the pipeline's end. */
  readonly values: readonly Val[];
  readonly deadLetter: readonly FailureRecord[];
  readonly source: RecordingSource<number>;
}

export interface RunOptions {
  readonly guarantee: Guarantee;
  readonly retries?: number;
  readonly maxPending?: number;
  readonly asyncReads?: readonly boolean[];
  /** @default 20_000: far beyond any run here, so a timeout means an item was lost. */
  readonly timeoutMs?: number;
  /** How long slow items take. @default 0 */
  readonly slowMs?: number;
  /** Writes to the outputs are confirmed later (an `append()` that resolves on the next turn). @default false */
  readonly asyncOutputs?: boolean;
  /**
   * Runs on this clock (slow items and the run's deadlines alike), driven by its runUntil: a
   * loaded machine cannot make a write look slower than timeoutMs. Real time when not given.
   */
  readonly clock?: VirtualClock;
}

/** A container whose appends are confirmed on a later turn of the event loop. */
function later<T>(into: T[]): { append(value: T): Promise<void> } {
  return {
    append: (value) =>
      new Promise<void>((resolve) =>
        setImmediate(() => {
          into.push(value);
          resolve();
        }),
      ),
  };
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Runs `p` over the root ids 0..n-1 from a recording source, with `default` and `deadLetter` outputs. */
export async function runDescribed(p: Pipeline, n: number, o: RunOptions): Promise<Outcome> {
  const source = recordingSource(range(n), o.asyncReads);
  const values: Val[] = [];
  const deadLetter: FailureRecord[] = [];
  const c = new Consecutor(build(p, { slowMs: o.slowMs ?? 0, ...(o.clock === undefined ? {} : { clock: o.clock }) }), {
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    guarantee: o.guarantee,
    // Only replay takes retries (the properties draw them for every level).
    ...(o.retries === undefined || o.guarantee !== 'replay' ? {} : { retries: o.retries }),
    ...(o.maxPending === undefined ? {} : { maxPending: o.maxPending }),
    timeoutMs: o.timeoutMs ?? 20_000,
    outputs: o.asyncOutputs === true ? { default: later(values), deadLetter: later(deadLetter) } : { default: values, deadLetter },
  });
  const running = c.run(source);
  const report = await within(o.clock === undefined ? running : o.clock.runUntil(running), 10_000, () => `run of ${JSON.stringify(p)} over ${n} items (${JSON.stringify(o)})`);
  return { report, values, deadLetter, source };
}

const pathsOf = (values: readonly Val[], root: number): string[] =>
  values.filter((v) => v.root === root).map((v) => v.path).sort();

/** Every root is settled exactly once: one confirm per position, all before the reader closed. */
export function expectSettledOnce(o: Outcome, n: number): Map<number, boolean> {
  const { report, source } = o;
  const positions = source.confirms.map((c) => c.position as number).sort((a, b) => a - b);
  expect(positions, 'each position is confirmed exactly once').toEqual(range(n));
  expect(source.confirms.filter((c) => c.afterClose), 'no confirm after close').toEqual([]);
  expect(source.confirms.filter((c) => c.completed).length, 'confirmed completed === report.completed').toBe(report.completed);
  expect(source.confirms.filter((c) => !c.completed).length, 'confirmed given up === report.deadLettered').toBe(report.deadLettered);
  expect([source.opened, source.closed], 'the reader is opened and closed once').toEqual([1, 1]);
  return new Map(source.confirms.map((c) => [c.position as number, c.completed]));
}

/** The report's counts at a tracked level: every root settles once, every failure is accounted for. */
export function expectTrackedCounts(report: RunReport, n: number): void {
  expect(report.ingested, 'ingested').toBe(n);
  expect(report.completed + report.deadLettered, 'completed + deadLettered === ingested').toBe(report.ingested);
  expect(report.failed, 'failed === retried + deadLettered').toBe(report.retried + report.deadLettered);
  expect(report.errors, 'no untracked errors').toBe(0);
  expect(report.ok, 'ok iff nothing dead-lettered').toBe(report.deadLettered === 0);
  if (report.guarantee !== 'replay') expect(report.retried, 'only replay retries').toBe(0);
}

function expectedOutcome(item: ItemModel, guarantee: Guarantee, retries: number): boolean | undefined {
  if (item.coupled) return undefined;
  if (item.firstPoints.length === 0) return true;
  if (item.permanent) return false;
  if (guarantee !== 'replay' || retries === 0) return false;
  return item.transients <= retries ? true : undefined;
}

/**
 * Per item, at a tracked level: items with a permanent failure are dead-lettered, items with no
 * failure complete (and emit exactly what the model says), items with only transient failures
 * complete when replay has retries enough; each dead letter names the item, a node the item can
 * fail at, the error and the attempts.
 */
export function expectItems(m: Model, o: Outcome, settled: Map<number, boolean>, guarantee: Guarantee, retries: number): void {
  const { deadLetter, values, report } = o;
  const allNodes = new Set(m.items.flatMap((it) => it.allPoints.map((pt) => pt.node)));
  expect(deadLetter.length, 'one dead letter per item given up').toBe(report.deadLettered);
  const letters = new Map(deadLetter.map((r) => [r.item as number, r]));
  expect(letters.size, 'no item dead-lettered twice').toBe(deadLetter.length);
  const maxAttempts = guarantee === 'replay' ? retries + 1 : 1;
  for (const item of m.items) {
    const completed = settled.get(item.root);
    const expected = expectedOutcome(item, guarantee, retries);
    const label = `item ${item.root} (${JSON.stringify(item)})`;
    if (expected !== undefined) expect(completed, `${label}: completed`).toBe(expected);
    const letter = letters.get(item.root);
    if (completed === true) {
      expect(letter, `${label}: completed, so no dead letter`).toBeUndefined();
      if (!item.coupled && item.firstPoints.length === 0) {
        expect(pathsOf(values, item.root), `${label}: what it emitted`).toEqual([...item.finalLeaves]);
      }
      continue;
    }
    expect(letter, `${label}: given up, so dead-lettered`).toBeDefined();
    const r = letter!;
    const nodes = item.coupled ? allNodes : new Set(item.allPoints.map((pt) => pt.node));
    expect(nodes.has(r.node), `${label}: dead letter names ${r.node}, one of ${[...nodes].join(', ')}`).toBe(true);
    expect(r.error.message, `${label}: the error`).toMatch(r.node.startsWith('route@') ? /matches no branch/ : /(permanent|transient) failure of/);
    expect(r.attempts, `${label}: attempts`).toBeGreaterThanOrEqual(1);
    expect(r.attempts, `${label}: attempts`).toBeLessThanOrEqual(maxAttempts);
    if (!item.coupled && item.permanent && item.allPoints.every((pt) => pt.kind !== 'unmatched')) {
      expect(r.attempts, `${label}: a retryable failure uses every attempt`).toBe(maxAttempts);
    }
  }
}

export { model };

/** numRuns scaled by PROPERTY_SCALE (e.g. PROPERTY_SCALE=20 for a long hunt; default 1). */
export function runs(n: number): number {
  const scale = Number(process.env['PROPERTY_SCALE'] ?? '1');
  return Math.max(1, Math.round(n * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}
