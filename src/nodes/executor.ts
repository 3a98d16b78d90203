import { isRetryable } from '../errors.js';
import { nodeTimeout } from '../stage/fail.js';
import { isPromiseLike } from '../stage/promise.js';
import { withTimeout } from '../stage/timeout.js';
import { arm } from './deadline.js';
import { systemClock } from '../clock/system.js';
import type { Clock } from '../types.js';
import { isEither, isLeft } from './either.js';
import type { CallRunner, ItemContext } from './item-context.js';
import type { EndContext, NodeSpec } from './spec.js';

/** The options a node runs with, wherever it runs. */
export interface ExecutorOptions {
  /** Local tries of an item after its first, on a retryable error. */
  readonly retries: number;
  /** The node's own deadline for an async call (ms); 0: none. */
  readonly timeoutMs: number;
  /**
   * The run's timeoutMs: the deadline of an async call when the node has none of its own; 0 when
   * the side checks that on the run's clock tick instead (inline: no timer per call).
   */
  readonly runTimeoutMs: number;
  /** The clock of deadlines: the run's inline, the system's in a worker. @default systemClock */
  readonly clock?: Clock;
}

/**
 * What a user node does with an item, the same on the main thread and in a worker: calls
 * `process(value, ctx)`, sync or async; a value returned (other than `undefined`) is pushed, an
 * fp-ts `Right`'s too; a `Left` fails the item as a rejection (NODE_REJECTED, not retried);
 * returning acks it; throwing, rejecting, `ctx.fail()` or passing the call's deadline (the node's
 * `timeoutMs`, else the run's: NODE_TIMEOUT, its signal aborts) fails the try, and a retryable
 * failure gets a fresh try, up to `retries` times. `end()` runs with a deadline of its own. What
 * becomes of pushes, acks and failures is the side's, through its {@link ItemContext}.
 *
 * @example
 * ```ts
 * // In a worker: the node's retries and timeoutMs, and the run's timeoutMs for calls without one.
 * import { NodeExecutor } from './executor.js';
 * import type { ItemContext } from './item-context.js';
 * import type { NodeSpec } from './spec.js';
 * declare const spec: NodeSpec<string, number>;
 * declare const ctx: ItemContext<string, number>; // the side's: its hooks (passOn, acked, failed ...) say how the item went
 * const executor = new NodeExecutor(spec, 'geocode', { retries: 2, timeoutMs: 0, runTimeoutMs: 30_000 });
 * executor.run(ctx);
 * ```
 */
export class NodeExecutor<I, O> implements CallRunner<I, O> {
  readonly spec: NodeSpec<I, O>;
  readonly name: string;
  readonly clock: Clock;
  private readonly retries: number;
  /** The deadline armed on each async call (ms); 0: none. */
  private readonly deadlineMs: number;

  constructor(spec: NodeSpec<I, O>, name: string, options: ExecutorOptions) {
    this.spec = spec;
    this.name = name;
    this.retries = options.retries;
    this.clock = options.clock ?? systemClock;
    this.deadlineMs = options.timeoutMs > 0 ? options.timeoutMs : Math.max(options.runTimeoutMs, 0);
  }

  /** Runs one try of an item; its context's hooks are called as it settles (at once while the node is synchronous). */
  run(ctx: ItemContext<I, O>): void {
    let r: unknown;
    // While in the call, what the node does to its context (ctx.fail(): a retry) gets a fresh one.
    ctx.calling = true;
    try {
      r = this.spec.process(ctx.value, ctx);
    } catch (e) {
      ctx.calling = false;
      this.failed(ctx, e);
      return;
    }
    if (isPromiseLike(r)) this.await(ctx, r);
    else {
      ctx.calling = false;
      this.returned(ctx, r);
    }
  }

  /** An async call: its deadline runs from now; it settles when the promise (any thenable) does. */
  private await(ctx: ItemContext<I, O>, r: PromiseLike<unknown>): void {
    if (!ctx.settled) {
      ctx.began();
      if (this.deadlineMs > 0) ctx.deadline = arm(this.clock, this.deadlineMs, expire, ctx);
    }
    r.then(
      (v) => {
        ctx.calling = false;
        this.returned(ctx, v);
      },
      (e: unknown) => {
        ctx.calling = false;
        this.failed(ctx, e);
      },
    );
  }

  private returned(ctx: ItemContext<I, O>, r: unknown): void {
    if (ctx.settled) return;
    if (isEither(r)) {
      if (isLeft(r)) {
        ctx.settle();
        ctx.rejected(r.left);
        return;
      }
      r = r.right;
    }
    if (r !== undefined && ctx.pushes === 0) {
      // 1:1: the item's one result (inline, it keeps the item's anchor: no acker traffic).
      ctx.settle();
      ctx.passOn(r as O);
      return;
    }
    if (r !== undefined) ctx.push(r as O);
    ctx.ack();
  }

  failed(ctx: ItemContext<I, O>, e: unknown): void {
    if (ctx.settled) return;
    ctx.settle();
    if (isRetryable(e) && ctx.tries < this.retries) this.run(ctx.retry());
    else ctx.failed(e);
  }

  /**
   * Runs `end(ctx)` once, if the node has one: `ok()` when it returned or resolved; `fail(e)` when
   * it threw, rejected, or did not settle within `limitMs` (NODE_TIMEOUT; 0: no limit), since an
   * end() that never settles would keep the run from ever ending.
   */
  end(ctx: EndContext<O>, limitMs: number, ok: () => void, fail: (e: unknown) => void): void {
    let r: unknown;
    try {
      r = this.spec.end?.(ctx);
    } catch (e) {
      fail(e);
      return;
    }
    if (!isPromiseLike(r)) ok();
    else withTimeout(r, limitMs, () => nodeTimeout(this.name, '(end)', limitMs), this.clock).then(ok, fail);
  }
}

function expire<I, O>(ctx: ItemContext<I, O>, ms: number): void {
  ctx.timeOut(ms);
}
