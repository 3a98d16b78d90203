import { toErrorInfo, type ErrorInfo } from '../acker/failure.js';
import { ConsecutionError, isRetryable } from '../errors.js';
import type { NodeExecutor } from '../nodes/executor.js';
import { ItemContext } from '../nodes/item-context.js';
import type { EndContext } from '../nodes/spec.js';
import type { Column } from './column.js';
import type { Failed } from './protocol.js';

/** How an item of a batch went: how many values it pushed, or why it failed. */
export type Outcome = number | Failed;

/** What a worker's item contexts need of the lane that runs them (see Lane). */
export interface ContextLane {
  readonly executor: NodeExecutor<unknown, unknown>;
  /** Aborts when the worker is told to end. */
  readonly life: AbortSignal;
  /** Item `index` of the lane's batch settled. */
  settled(index: number, outcome: Outcome): void;
  /** A context for the lane's next try or item, instead of one whose call is still running. */
  fresh(): WorkerItemContext;
  /** The node called a context after its item was settled: recorded with the worker's next answer. */
  misused(error: ErrorInfo, value: unknown): void;
}

/**
 * The context of one item in one try in a worker (see {@link ItemContext}): what it pushes is
 * appended to the batch's results (`outs`), and how it went goes to its lane. A lane reuses one
 * context from item to item (no allocation per item), except after a call that is still running
 * (timed out, or settled by ctx.ack()/fail() before it returned): that one keeps refusing what the
 * call does later.
 *
 * @example
 * ```ts
 * import { Column } from './column.js';
 * import { WorkerItemContext, type ContextLane } from './worker-context.js';
 * declare const lane: ContextLane;
 * const outs = new Column(1);
 * const ctx = new WorkerItemContext(lane).reset('item 0', 0, 0, 0, outs);
 * lane.executor.run(ctx); // lane.settled(0, outcome) follows, at once for a synchronous node
 * ```
 */
export class WorkerItemContext extends ItemContext<unknown, unknown> {
  /** Which item of the batch it is. */
  index = 0;
  /** Where its pushes go, from `start` on. */
  private outs: Column | undefined = undefined;
  private start = 0;
  private readonly lane: ContextLane;

  constructor(lane: ContextLane) {
    super(lane.executor, undefined, 0, 0);
    this.lane = lane;
  }

  /** Starts try `tries` of item `index` (first attempt `first`), pushing into `outs`. */
  reset(value: unknown, first: number, tries: number, index: number, outs: Column): this {
    this.begin(value, first, tries);
    this.index = index;
    this.outs = outs;
    this.start = outs.length;
    return this;
  }

  protected get life(): AbortSignal {
    return this.lane.life;
  }

  emit(value: unknown): void {
    this.outs!.push(value);
  }

  passOn(value: unknown): void {
    this.outs!.push(value);
    this.lane.settled(this.index, 1);
  }

  acked(): void {
    this.lane.settled(this.index, this.outs!.length - this.start);
  }

  rejected(reason: unknown): void {
    this.outs!.truncate(this.start);
    this.lane.settled(this.index, { error: toErrorInfo(new Error('rejected')), reason, rejected: true });
  }

  failed(error: unknown): void {
    this.outs!.truncate(this.start);
    this.lane.settled(this.index, isRetryable(error) ? { error: toErrorInfo(error) } : { error: toErrorInfo(error), retryable: false });
  }

  /**
   * A failed try's pushes are dropped; the next try runs on this context, unless the try's call is
   * still running (timed out, or ctx.fail() from inside it): then on a fresh one.
   */
  retry(): WorkerItemContext {
    const outs = this.outs!;
    outs.truncate(this.start);
    const next = this.calling ? this.lane.fresh() : this;
    return next.reset(this.value, this.attempt - this.tries, this.tries + 1, this.index, outs);
  }

  protected misused(error: ConsecutionError): void {
    this.lane.misused(toErrorInfo(error), this.value);
  }

  write(): void {
    throw writeUnavailable(this.node);
  }
}

/**
 * The context of a worker's `end()`: what it pushes goes back in the 'ended' answer.
 *
 * @example
 * ```ts
 * import { toErrorInfo } from '../acker/failure.js';
 * import type { NodeExecutor } from '../nodes/executor.js';
 * import { WorkerEndContext } from './worker-context.js';
 * declare const executor: NodeExecutor<unknown, unknown>;
 * declare function post(msg: { t: 'ended'; outs: unknown[]; error?: unknown }): void;
 * const ctx = new WorkerEndContext('score', new AbortController().signal);
 * executor.end(ctx, 0, () => post({ t: 'ended', outs: ctx.outs }), (e: unknown) => post({ t: 'ended', outs: ctx.outs, error: toErrorInfo(e) }));
 * ```
 */
export class WorkerEndContext implements EndContext<unknown> {
  readonly outs: unknown[] = [];

  constructor(
    readonly node: string,
    readonly signal: AbortSignal,
  ) {}

  push(value: unknown): void {
    this.outs.push(value);
  }

  write(): void {
    throw writeUnavailable(this.node);
  }
}

/**
 * What `ctx.write()` throws in a worker: outputs live on the main thread.
 *
 * @example
 * ```ts
 * writeUnavailable('score').message; // 'node "score": ctx.write() is not available in an offloaded node; push values instead'
 * ```
 */
export function writeUnavailable(node: string): ConsecutionError {
  return new ConsecutionError('NODE_FAILED', `node "${node}": ctx.write() is not available in an offloaded node; push values instead`);
}
