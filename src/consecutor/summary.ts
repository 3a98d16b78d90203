import { toErrorInfo, type FailureRecord } from '../acker/failure.js';
import type { Guarantee, Acker } from '../acker/acker.js';
import type { FailureInfo } from '../envelope/envelope.js';
import type { NodeRegistry } from '../stage/stage-context.js';
import type { Clock } from '../types.js';
import type { Metrics, RunReport } from './report.js';
import type { SourceProgress } from '../sources/source.js';

/**
 * The failures of a run outside any item's tree (writes given up, a drain that timed out, items
 * failed under 'none'): counted, and the last `keep` of them kept for the report.
 *
 * @example
 * ```ts
 * const untracked = new UntrackedFailures(100, systemClock); // keepFailures, the run's clock
 * untracked.add({ node: 'consecutor', value: undefined, error: new Error('the store failed') });
 * ```
 */
export class UntrackedFailures {
  count = 0;
  readonly kept: FailureRecord[] = [];
  private readonly keep: number;
  /** Gives each record its `at`. */
  private readonly clock: Clock;

  constructor(keep: number, clock: Clock) {
    this.keep = keep;
    this.clock = clock;
  }

  add(f: FailureInfo): void {
    this.count++;
    if (this.kept.length >= this.keep) this.kept.shift();
    this.kept.push({ item: f.value, node: f.node, error: toErrorInfo(f.error), attempts: 1, root: -1, at: this.clock.now() });
  }
}

/** What a run's metrics and report are made of (see {@link metricsOf}, {@link reportOf}). */
export interface RunTally {
  readonly running: boolean;
  /** The run's acker; undefined under 'none'. */
  readonly acker: Acker | undefined;
  /** Items read under 'none' (see Admission). */
  readonly untrackedIngested: number;
  readonly untracked: UntrackedFailures;
  readonly registry: NodeRegistry;
  /** Items admitted per second over the window. */
  readonly rate: number;
  /** Time the source waited at maxPending. */
  readonly blockedMs: number;
  /** How far the source is read, when it knows (see SourceReader.progress). */
  readonly progress?: SourceProgress;
}

/**
 * The counts of a run, as of now.
 *
 * @example
 * ```ts
 * declare const tally: RunTally;
 * const { pending, completed } = metricsOf(tally);
 * ```
 */
export function metricsOf(tally: RunTally): Metrics {
  const t = tally.acker;
  const errors = tally.untracked.count;
  return {
    running: tally.running,
    pending: t?.pending ?? 0,
    ingested: t?.ingested ?? tally.untrackedIngested,
    completed: t?.completed ?? tally.untrackedIngested,
    failed: t?.failed ?? errors,
    retried: t?.retried ?? 0,
    deadLettered: t?.deadLettered ?? 0,
    errors: t === undefined ? 0 : errors,
    nodes: tally.registry.snapshot(),
    rate: tally.rate,
    blockedMs: tally.blockedMs,
    replayed: t?.retried ?? 0,
    ...(tally.progress === undefined ? {} : { progress: tally.progress }),
  };
}

/**
 * The report of a run that ended: its counts, and its failures (the acker's and the untracked ones) in order.
 *
 * @example
 * ```ts
 * declare const tally: RunTally;
 * declare const started: number; // when the run started, on its clock
 * const report = reportOf(tally, { guarantee: 'replay', started, ended: systemClock.now(), stopped: false });
 * ```
 */
export function reportOf(tally: RunTally, run: { guarantee: Guarantee; started: number; ended: number; stopped: boolean }): RunReport {
  const m = metricsOf(tally);
  const t = tally.acker;
  const errors = tally.untracked.count;
  const failures = [...(t?.failures ?? []), ...tally.untracked.kept].sort((a, b) => a.at - b.at);
  return {
    ok: t === undefined ? errors === 0 : t.deadLettered === 0 && errors === 0 && t.pending === 0,
    guarantee: run.guarantee,
    ingested: m.ingested,
    completed: m.completed,
    failed: m.failed,
    retried: m.retried,
    deadLettered: m.deadLettered,
    errors: m.errors,
    durationMs: run.ended - run.started,
    failures,
    nodes: m.nodes,
    stopped: run.stopped,
    pending: m.pending,
  };
}
