import { isEither, isLeft, rejection } from './either.js';
import type { Subscriber } from 'rxjs';
import { seconds, type Blame, type Holder } from '../acker/blame.js';
import { slackOf } from '../acker/acker.js';
import { Envelope, type Anchor } from '../envelope/envelope.js';
import { childHi, childLo, newSeed, seedFrom, type SplitSeed } from '../envelope/split.js';
import { isRetryable } from '../errors.js';
import { isPromiseLike } from '../stage/promise.js';
import { withTimeout } from '../stage/timeout.js';
import { failAt, nodeError, nodeTimeout } from '../stage/fail.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import { EndContextImpl, ItemContext, type ContextOwner } from './context.js';
import type { NodeSpec } from './spec.js';

export interface RunnerOptions {
  readonly concurrency: number;
  readonly retries: number;
  readonly timeoutMs: number;
}

/**
 * Runs a user node for one subscription: up to `concurrency` items at once, each with its own
 * context, local retries, a deadline (the node's timeoutMs, else the run's), and `end()` once the
 * input is done. Items waiting for a free lane are parked: that time does not count against them.
 */
export class NodeRunner<I, O> implements Holder, ContextOwner<I, O> {
  readonly spec: NodeSpec<I, O>;
  readonly stats: NodeStats;
  readonly host: StageContext;
  readonly out: Subscriber<Envelope<O>>;
  private readonly options: RunnerOptions;
  private readonly queue: Envelope<I>[] = [];
  /** Async items in flight: swept for deadlines and for items whose tree failed meanwhile (a root timeout). */
  private readonly pending = new Set<ItemContext<I, O>>();
  private inputDone = false;
  private ended = false;
  private readonly seed: SplitSeed;
  /**
   * How long an async call without a timeoutMs of its own may take, checked on the run's tick: the
   * run's timeoutMs plus one tick (the coarse clock's slack, as for roots); 0 for none.
   */
  private readonly callLimit: number;

  constructor(spec: NodeSpec<I, O>, stats: NodeStats, host: StageContext, out: Subscriber<Envelope<O>>, options: RunnerOptions) {
    this.spec = spec;
    this.stats = stats;
    this.host = host;
    this.out = out;
    this.options = options;
    this.seed = newSeed(stats.name);
    const limit = host.timeoutMs;
    this.callLimit = options.timeoutMs > 0 || limit <= 0 ? 0 : slackOf(limit);
    host.onTick(() => this.sweep());
    host.addHolder(this);
  }

  /**
   * Fails in-flight calls past the run's timeoutMs (NODE_TIMEOUT), and abandons those whose tree
   * has failed or settled elsewhere (timed out, failed in another branch): either way the lane is
   * freed and the signal aborted, so a hung call cannot hold the node's concurrency, or the run,
   * forever, and the items behind it (a replay of it too) go on.
   */
  private sweep(): void {
    const now = this.host.now;
    for (const ctx of this.pending) {
      if (!ctx.env.anchor.live(ctx.env.attempt)) {
        ctx.abandon();
        this.done();
      } else if (this.callLimit > 0 && now - ctx.startedAt >= this.callLimit) ctx.timeOut(this.host.timeoutMs);
    }
  }

  /** Where this node holds `root`: in a call, or waiting for a lane (asked only when it times out). */
  where(root: Anchor, now: number): Blame | undefined {
    const node = this.stats.name;
    for (const ctx of this.pending) {
      if (ctx.env.anchor.belongsTo(root)) return { node, where: `in node "${node}" for ${seconds(now - ctx.startedAt)}` };
    }
    if (!this.queue.some((env) => env.anchor.belongsTo(root))) return undefined;
    return { node, where: `waiting for a free lane in node "${node}" (concurrency ${this.options.concurrency}, ${this.queue.length} waiting)` };
  }

  next(env: Envelope<I>): void {
    this.stats.received++;
    if (this.stats.inFlight >= this.options.concurrency) {
      // Waiting for a lane is not the item's fault: its root's clock stops meanwhile.
      env.anchor.park(env.attempt);
      this.queue.push(env);
    } else this.start(env);
  }

  complete(): void {
    this.inputDone = true;
    this.maybeEnd();
  }

  private start(env: Envelope<I>): void {
    this.stats.inFlight++;
    this.invoke(new ItemContext(this, env, 0));
  }

  /** Takes the next waiting item whose tree is still live. */
  private nextWaiting(): Envelope<I> | undefined {
    for (let env = this.queue.shift(); env !== undefined; env = this.queue.shift()) {
      env.anchor.unpark(env.attempt);
      if (env.anchor.live(env.attempt)) return env;
    }
    return undefined;
  }

  invoke(ctx: ItemContext<I, O>): void {
    let r: unknown;
    try {
      r = this.spec.process(ctx.env.value, ctx);
    } catch (e) {
      this.failed(ctx, e);
      return;
    }
    if (isPromiseLike(r)) {
      ctx.startedAt = this.host.now;
      if (this.options.timeoutMs > 0) ctx.arm(this.options.timeoutMs);
      if (!ctx.settled) this.pending.add(ctx);
      r.then(
        (v) => this.returned(ctx, v),
        (e: unknown) => this.failed(ctx, e),
      );
    } else this.returned(ctx, r);
  }

  private returned(ctx: ItemContext<I, O>, r: unknown): void {
    if (ctx.settled) return;
    if (isEither(r)) {
      if (isLeft(r)) {
        ctx.settle();
        failAt(this.stats, ctx.env, ctx.env.value, rejection(this.stats.name, ctx.env.value, r.left));
        this.done();
        return;
      }
      r = r.right;
    }
    if (r !== undefined && ctx.pushes === 0) {
      // 1:1: the item keeps its anchor; no acker traffic.
      ctx.settle();
      const env = ctx.env as unknown as Envelope<O>;
      env.value = r as O;
      this.stats.emitted++;
      this.out.next(env);
      this.done();
      return;
    }
    if (r !== undefined) ctx.push(r as O);
    ctx.ack();
  }

  failed(ctx: ItemContext<I, O>, e: unknown): void {
    if (ctx.settled) return;
    ctx.settle();
    if (isRetryable(e) && ctx.tries < this.options.retries) {
      this.invoke(new ItemContext(this, ctx.env, ctx.tries + 1));
      return;
    }
    failAt(this.stats, ctx.env, ctx.env.value, e);
    this.done();
  }

  /** An item has settled: start a waiting one, or end when all is done. */
  done(): void {
    this.stats.inFlight--;
    const next = this.nextWaiting();
    if (next !== undefined) this.start(next);
    else this.maybeEnd();
  }

  private maybeEnd(): void {
    if (!this.inputDone || this.ended || this.stats.inFlight > 0 || this.queue.length > 0) return;
    this.ended = true;
    if (this.spec.end === undefined) {
      this.out.complete();
      return;
    }
    const ctx = new EndContextImpl(this);
    // What end() writes, the run waits for (see Writes), not the node.
    const finish = () => this.out.complete();
    const fail = (e: unknown) => {
      this.stats.failed++;
      this.host.untracked.failAnchor({ node: this.stats.name, value: undefined, error: nodeError(this.stats.name, '(end)', e) }, 0);
      finish();
    };
    try {
      const r = this.spec.end(ctx);
      if (isPromiseLike(r)) this.awaitEnd(r, finish, fail);
      else finish();
    } catch (e) {
      fail(e);
    }
  }

  /**
   * Waits for an async end() for no longer than the run's timeoutMs, at every level, as for an
   * item: an end() that never settles would keep the run from ever ending.
   */
  private awaitEnd(r: PromiseLike<unknown>, finish: () => void, fail: (e: unknown) => void): void {
    const limit = this.host.timeoutMs;
    withTimeout(r, limit, () => nodeTimeout(this.stats.name, '(end)', limit), this.host.clock).then(finish, fail);
  }

  forget(ctx: ItemContext<I, O>): void {
    this.pending.delete(ctx);
  }

  /**
   * Emits the `n`th value pushed for `parent` in try `tries` as a new child. Its edge is derived
   * from the parent's (see split.ts), so it is the same in every attempt of the item; tries of
   * one attempt differ, since their children are all in flight at once.
   */
  emitChild(parent: Envelope<I>, value: O, tries: number, n: number): void {
    seedFrom(this.seed, parent.hi, parent.lo, tries);
    const hi = childHi(this.seed, n);
    const lo = childLo(this.seed, n);
    parent.anchor.addEdge(hi, lo, parent.attempt);
    this.stats.emitted++;
    this.out.next(new Envelope(value, parent.anchor, hi, lo, parent.attempt));
  }
}
