import type { Envelope, Node } from '../envelope/envelope.js';
import { failAt } from './fail.js';
import { connect, Guarded, Linkable, type Sink } from './link.js';
import { stageContext, type StageContext } from './stage-context.js';
import { markStage } from './stage.js';
import type { NodeStats } from './stats.js';

/**
 * How a stage reacts to its input, for one subscription. The functions are handed to RxJS as they
 * are (no wrapper per item), so they must not rely on `this`.
 */
export interface StageHandlers<I> {
  /** Every input envelope. Counts `stats.received` itself: some stages count elsewhere. */
  next(env: Envelope<I>): void;
  /** The input completed. @default completes downstream */
  complete?(): void;
  /** Teardown, after the input is unsubscribed: free buffers, cancel timers, close pools. */
  finalize?(): void;
}

/** The per-subscription half of a stage: given its downstream, how it handles its input. */
export type Subscribe<I, O> = (out: Sink<Envelope<O>>) => StageHandlers<I>;

/**
 * Builds a one-node stage, as RxJS 7's `operate` builds its operators, on public RxJS only. When
 * the operator is applied: takes the run's {@link StageContext}, registers the node's counters and
 * calls `build(ctx, stats)` (where build-time checks throw). Per subscription: calls what `build`
 * returned with the downstream subscriber, subscribes the input with its handlers (errors go
 * downstream as they are) and marks the result with the stage's descriptor for `describe()`.
 *
 * @example
 * ```ts
 * const tap = <T>(fn: (v: T) => void): Node<T, T> =>
 *   operate('tap', undefined, (_ctx, stats) => (out) => ({
 *     next(env) {
 *       stats.received++;
 *       if (callOrFail(stats, env, fn, env.value) === FAILED) return;
 *       stats.emitted++;
 *       out.next(env);
 *     },
 *   }));
 * ```
 */
export function operate<I, O>(
  kind: string,
  name: string | undefined,
  build: (ctx: StageContext, stats: NodeStats) => Subscribe<I, O>,
): Node<I, O> {
  return (source) => {
    const ctx = stageContext();
    const stats = ctx.register(kind, name);
    const subscribe = build(ctx, stats);
    const out = new Linkable<Envelope<O>>((downstream) => {
      const guarded = new Guarded(downstream);
      const { next, complete, finalize } = subscribe(guarded);
      const stop = connect(source, {
        next,
        error: (e: unknown) => guarded.error(e),
        complete: complete ?? (() => guarded.complete()),
      });
      return () => {
        guarded.closed = true;
        stop();
        finalize?.();
      };
    });
    return markStage(out, { nodes: [stats], upstream: source });
  };
}

/** What {@link callOrFail} returns when the user's function threw: the item has been failed. */
export const FAILED: unique symbol = Symbol('consecution.failed');

/**
 * Calls the user's `fn(a, b)` on behalf of item `env` at a node. What it throws does not escape:
 * the item fails at the node (`NODE_FAILED` naming node and item, see {@link failAt}) and the
 * result is {@link FAILED}. The arguments are passed through, so no closure is made per item.
 *
 * @example
 * ```ts
 * declare const stats: NodeStats;
 * declare const env: Envelope<number>;
 * const sum = (acc: number, value: number) => acc + value;
 * const acc = callOrFail(stats, env, sum, 0, env.value);
 * if (acc !== FAILED) console.log(acc); // else env has been failed at the node
 * ```
 */
export function callOrFail<A, R>(stats: NodeStats, env: Envelope<unknown>, fn: (a: A) => R, a: A): R | typeof FAILED;
export function callOrFail<A, B, R>(stats: NodeStats, env: Envelope<unknown>, fn: (a: A, b: B) => R, a: A, b: B): R | typeof FAILED;
export function callOrFail<A, B, R>(stats: NodeStats, env: Envelope<unknown>, fn: (a: A, b?: B) => R, a: A, b?: B): R | typeof FAILED {
  try {
    return fn(a, b);
  } catch (e) {
    failAt(stats, env, env.value, e);
    return FAILED;
  }
}
