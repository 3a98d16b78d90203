import { ConsecutionError } from '../errors.js';
import { nodeTimeout } from '../stage/fail.js';
import { disarm, type Deadline } from './deadline.js';
import type { NodeContext } from './spec.js';
import type { Clock } from '../types.js';

/** What an item's context needs of the executor that runs its node (see NodeExecutor). */
export interface CallRunner<I, O> {
  /** The node's name in this run: ctx.node, and in errors. */
  readonly name: string;
  /** The clock its calls' deadlines are on. */
  readonly clock: Clock;
  /** The try threw, rejected, timed out or called ctx.fail(): a fresh try, or the item fails. */
  failed(ctx: ItemContext<I, O>, error: unknown): void;
}

/**
 * The context `process` gets for one item in one try: the one per-item node context, inline and
 * in workers. It holds the state every side shares (settled or not, pushes, the call's deadline
 * and signal) and refuses calls once the item is settled; what a push, an ack or a failure does
 * is the side's own (its subclass): emit a child envelope on the main thread, append to the
 * batch's results in a worker. The executor (NodeExecutor) decides when each hook is called.
 *
 * @example
 * ```ts
 * // The side makes the context (its subclass); the executor runs the try and calls its hooks.
 * import type { Envelope } from '../envelope/envelope.js';
 * import { InlineItemContext, type ContextOwner } from './context.js';
 * declare const runner: ContextOwner<number, number>;
 * declare const env: Envelope<number>;
 * const ctx = new InlineItemContext(runner, env, 0);
 * runner.executor.run(ctx); // then ctx.passOn(value), ctx.acked(), ctx.failed(error) ... as the item settles
 * ```
 */
export abstract class ItemContext<I, O> implements NodeContext<O> {
  // Fields are declared, not defined: assigned in the constructor, in one order, so that making
  // one per item (inline) costs plain stores (a class field's definition costs several times more).
  declare readonly executor: CallRunner<I, O>;
  /** The item's value, as the node got it. */
  declare value: I;
  /** The item's attempt plus its local tries: what `ctx.attempt` says. */
  declare attempt: number;
  /** Local tries before this one (see the node's `retries`). */
  declare tries: number;
  /** Values pushed in this try. */
  declare pushes: number;
  /** Returned, acked, failed, timed out or abandoned: nothing the node does counts any more. */
  declare settled: boolean;
  /** Settled from outside (timed out, or abandoned because its tree failed elsewhere), not by the node. */
  declare cut: boolean;
  /** In its call: process() has not returned, or its promise has not settled (even if the item has). Not reusable meanwhile. */
  declare calling: boolean;
  /** The call's deadline, while armed. */
  declare deadline: Deadline | undefined;
  /** The item's own abort, made when its signal is first asked for. */
  private declare controller: AbortController | undefined;
  private declare itemSignal: AbortSignal | undefined;

  constructor(executor: CallRunner<I, O>, value: I, first: number, tries: number) {
    this.executor = executor;
    this.value = value;
    this.attempt = first + tries;
    this.tries = tries;
    this.pushes = 0;
    this.settled = false;
    this.cut = false;
    this.calling = false;
    this.deadline = undefined;
    this.controller = undefined;
    this.itemSignal = undefined;
  }

  /** Starts the context on an item's try (`first`: the item's attempt; `tries`: local tries before). */
  protected begin(value: I, first: number, tries: number): void {
    this.value = value;
    this.attempt = first + tries;
    this.tries = tries;
    this.pushes = 0;
    this.settled = false;
    this.cut = false;
    this.calling = false;
    this.deadline = undefined;
    if (this.itemSignal !== undefined) {
      this.controller = undefined;
      this.itemSignal = undefined;
    }
  }

  get node(): string {
    return this.executor.name;
  }

  /** Aborts when the run (or the worker) shuts down. */
  protected abstract get life(): AbortSignal;

  get signal(): AbortSignal {
    if (this.itemSignal === undefined) {
      this.controller = new AbortController();
      if (this.settled) this.controller.abort();
      this.itemSignal = AbortSignal.any([this.controller.signal, this.life]);
    }
    return this.itemSignal;
  }

  // --- What the side does (called by the executor, or by push/ack; the item is settled first but for emit).

  /** A value pushed (the item is live). */
  abstract emit(value: O): void;
  /** What process returned, as the item's one result: the item has pushed nothing else. */
  abstract passOn(value: O): void;
  /** The item is done. */
  abstract acked(): void;
  /** The node returned an fp-ts Left: the item fails with it as its reason, not retried. */
  abstract rejected(reason: unknown): void;
  /** The item fails: no local try is left, or the error is not retryable. */
  abstract failed(error: unknown): void;
  /** The context of the next local try: a fresh one, or this one started again. */
  abstract retry(): ItemContext<I, O>;
  /** The node called the context after the item was settled (by the node itself): record it. */
  protected abstract misused(error: ConsecutionError): void;
  /** The call went async and the item is still live: its deadline runs. */
  began(): void {}

  abstract write(output: string, value: unknown): void;

  // --- NodeContext.

  push(value: O): void {
    this.live('push');
    this.pushes++;
    this.emit(value);
  }

  ack(): void {
    this.live('ack');
    this.settle();
    this.acked();
  }

  fail(error: unknown): void {
    this.live('fail');
    this.executor.failed(this, error);
  }

  // --- Settling.

  settle(): void {
    this.settled = true;
    if (this.deadline !== undefined) disarm(this.executor.clock, this.deadline);
    this.deadline = undefined;
  }

  /** Its deadline (`ms`) passed: the call fails with NODE_TIMEOUT, its signal aborts, its lane is freed. */
  timeOut(ms: number): void {
    this.cut = true;
    this.controller?.abort();
    this.executor.failed(this, nodeTimeout(this.node, this.value, ms));
  }

  /** Its tree failed elsewhere: stop waiting for it. */
  abandon(): void {
    this.cut = true;
    this.settle();
    this.controller?.abort();
  }

  /** Refuses a call on a settled item (see {@link refuse}); small, so that it inlines into push and ack. */
  protected live(what: string): void {
    if (this.settled) this.refuse(what);
  }

  /**
   * Refuses a call on a settled item. The refusal is recorded (report.errors, failures) as well
   * as thrown: once the item is settled, what process() throws goes nowhere else, and the value
   * it tried to push would otherwise vanish without a trace.
   */
  private refuse(what: string): never {
    const error = new ConsecutionError(
      'NODE_FAILED',
      `node "${this.node}" called ctx.${what}() after its item was settled (returned, acked, failed or timed out)`,
      { node: this.node },
    );
    // Slow code still running after a timeout or an abandon is expected (its signal aborted); only
    // a call after the node itself settled the item (returned, ack, fail) is a mistake to record.
    if (!this.cut) this.misused(error);
    throw error;
  }
}
