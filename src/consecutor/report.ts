import type { FailureRecord } from '../acker/failure.js';
import type { Guarantee } from '../acker/acker.js';
import type { NodeMetrics, RunGauges } from './node-metrics.js';

/** The counts a run keeps, in its report and in its live metrics. */
export interface Counts {
  /** Input items admitted. */
  readonly ingested: number;
  /** Items completely processed (under `none`, which tracks nothing: items admitted). */
  readonly completed: number;
  /** Failures of items (under `none`: errors counted). */
  readonly failed: number;
  /** Failed items sent in again (`replay`). */
  readonly retried: number;
  /** Items given up on: written to the `deadLetter` output when there is one. */
  readonly deadLettered: number;
  /** Failures that belong to no input item (a reduce's result failing downstream, an `end()` that threw). */
  readonly errors: number;
  /** Per-node counts and gauges, by node name. */
  readonly nodes: Readonly<Record<string, NodeMetrics>>;
}

/**
 * What a run did. Under every level but `none`: `completed + deadLettered + pending === ingested`, and
 * `failed === retried + deadLettered` (each failure of an item either replayed it or gave it up).
 */
export interface RunReport extends Counts {
  /** True when every item was completely processed and nothing failed for good. */
  readonly ok: boolean;
  readonly guarantee: Guarantee;
  readonly durationMs: number;
  /** The last failure records (levels `track` and `replay`; untracked errors at every level). */
  readonly failures: readonly FailureRecord[];
  /** Whether the run was ended by `stop()` (or its `signal`) rather than by the end of its source. */
  readonly stopped: boolean;
  /**
   * Items admitted but not settled when the run ended: 0 unless it was stopped and they did not
   * settle within `drainMs`, or failed while it drained (they are not replayed after a stop). A
   * durable store keeps them in its journal, and the next run on it replays them first.
   */
  readonly pending: number;
}

/** A live view of a run: what {@link RunReport} says, while it runs. */
export interface Metrics extends Counts, RunGauges {
  readonly running: boolean;
  /** Items in flight (admitted, not yet settled). */
  readonly pending: number;
}
