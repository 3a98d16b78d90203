import type { Guarantee } from '../acker/acker.js';
import type { Mode } from '../consecutor/options.js';
import type { Holder } from '../acker/blame.js';
import { UntrackedAnchor } from '../acker/untracked.js';
import { systemClock } from '../clock/system.js';
import type { Anchor, Envelope, FailureInfo } from '../envelope/envelope.js';
import type { StateCell } from './state.js';
import { ConsecutionError } from '../errors.js';
import type { OutputWriter } from '../outputs/writer.js';
import type { Clock } from '../types.js';
import type { ChainCount, NodeStats } from './stats.js';
import type { GaugeSource, NodeGauge } from './gauge.js';
import { NodeRegistry } from './registry.js';

export { NodeRegistry };

/**
 * What a stage sees of the run it is built for. The consecutor builds its pipeline inside
 * {@link withStageContext}, so each operator captures the host of its own run when it is applied.
 * Outside a consecutor (an operator applied to a plain Observable of envelopes) a standalone
 * host applies: nothing tracked, failures thrown to the caller's error channel.
 */
export interface StageContext {
  readonly guarantee: Guarantee;
  /** Where offloaded nodes run. */
  readonly mode: Mode;
  /**
   * The run's timeoutMs: an item not complete by then fails (tracked levels), and so does a node
   * call without a timeoutMs of its own, or an output write not confirmed by then (every level).
   */
  readonly timeoutMs: number;
  /** The run's coarse clock (epoch ms), advanced on each tick: cheaper than reading {@link clock} per item. */
  readonly now: number;
  /** The run's clock (see the `clock` option), for timers: read it on a tick or a timer, never per item. */
  readonly clock: Clock;
  /** Whether `check()` stages run. */
  readonly checks: boolean;
  /** The anchor of envelopes that descend from no input item. */
  readonly untracked: Anchor;
  /** True once the source is drained: buffering stages then flush when idle. */
  readonly drained: boolean;
  /** Aborts when the run shuts down. */
  readonly signal: AbortSignal;
  /** A node's counters; `name` defaults to `kind#n`. */
  register(kind: string, name: string | undefined): NodeStats;
  /** Calls `flush` when the source is drained, so that partial batches do not wait forever. */
  onDrain(flush: () => void): void;
  /** Registers a fused chain's entry count, from which its steps' counts are derived. */
  countChain(count: ChainCount): void;
  /** Calls `fn` on every tick of the run's clock: for deadlines and sweeps of abandoned work. */
  onTick(fn: () => void): void;
  /** Registers a stage that holds items' work: it is asked where an item is stuck when one times out. */
  addHolder(holder: Holder): void;
  /**
   * The gauges of a node that runs items in `lanes` (latency, busy, queued, slowest): it reads
   * `gauge.time()` when an item takes a lane and calls `gauge.ended(started)` when it leaves it.
   * Undefined outside a run (nothing to measure for).
   */
  measure(stats: NodeStats, lanes: number, source: GaugeSource): NodeGauge | undefined;
  /**
   * The state cell of a stateful node, or undefined when nothing can replay an item (no replay
   * level, no durable store): then the node just folds and acks.
   */
  state(node: string, snapshot: () => unknown, release: (env: Envelope<unknown>) => void): StateCell | undefined;
  /** Input order (root ids) for ordered(); undefined when nothing is tracked. */
  order(): OrderView | undefined;
  /**
   * The writer of a named output, for node `node`; throws `OUTPUT_UNKNOWN` if the run has no such
   * output. An `output()` stage passes its `stats`: its writes are then its items, counted there,
   * and failures name the stage; a user node (`ctx.write`) passes none: failures name the output.
   */
  output(name: string, node: string, stats?: NodeStats): OutputWriter;
  /**
   * Holds the source back (beneath `maxPending`) until {@link releaseSource}: for a stage with more
   * work queued than it can start, such as an offload whose workers are all busy. Only while work
   * the stage has started will settle, so that a hold always ends.
   */
  holdSource(): void;
  /** Ends one {@link holdSource}; the source is read again once none is left. */
  releaseSource(): void;
}

/** What ordered() sees of the acker. */
export interface OrderView {
  /** Whether the root with this id is still pending. */
  pending(id: number): boolean;
  /** The id the next admitted root will get. */
  nextId(): number;
  /** Calls `fn` after every root settles. */
  onSettle(fn: () => void): void;
}


/**
 * The host of stages built outside a consecutor: nothing tracked, no outputs, failures of untracked
 * envelopes thrown to the caller. `describe()` builds pipelines on a variant of it.
 */
export class DetachedStageContext implements StageContext {
  readonly guarantee: Guarantee = 'none';
  readonly mode: Mode = 'sync';
  readonly timeoutMs = 0;
  readonly now = 0;
  readonly clock: Clock = systemClock;
  readonly checks = true;
  readonly drained = false;
  readonly signal: AbortSignal = new AbortController().signal;
  readonly untracked: Anchor = new UntrackedAnchor((f: FailureInfo) => {
    throw f.error;
  });
  private readonly registry = new NodeRegistry();

  register(kind: string, name: string | undefined): NodeStats {
    return this.registry.register(kind, name);
  }

  onDrain(): void {}

  onTick(): void {}

  addHolder(): void {}

  measure(): NodeGauge | undefined {
    return undefined;
  }

  state(): StateCell | undefined {
    return undefined;
  }

  order(): OrderView | undefined {
    return undefined;
  }

  countChain(): void {}

  holdSource(): void {}

  releaseSource(): void {}

  output(name: string, node: string): OutputWriter {
    throw new ConsecutionError(
      'OUTPUT_UNKNOWN',
      `node "${node}" writes to output "${name}", but it runs outside a Consecutor, which has no outputs`,
      { node },
    );
  }
}

let current: StageContext = new DetachedStageContext();

/** The host of the pipeline being built now. */
export function stageContext(): StageContext {
  return current;
}

/** Runs `fn` (building or subscribing a pipeline) with `h` as the current host. */
export function withStageContext<T>(h: StageContext, fn: () => T): T {
  const prev = current;
  current = h;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

