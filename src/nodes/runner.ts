import { seconds, type Blame, type Holder } from '../acker/blame.js';
import { slackOf } from '../acker/acker.js';
import { Envelope, type Anchor } from '../envelope/envelope.js';
import { childHi, childLo, newSeed, seedFrom, type SplitSeed } from '../envelope/split.js';
import { nodeError } from '../stage/fail.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import { oldest, SAMPLE_EVERY, type GaugeSource, type NodeGauge } from '../stage/gauge.js';
import type { SlowItem } from '../consecutor/node-metrics.js';
import { EndContextImpl, InlineItemContext, type ContextOwner } from './context.js';
import { NodeExecutor } from './executor.js';
import type { NodeSpec } from './spec.js';
import type { Sink } from '../stage/link.js';

export interface RunnerOptions {
  readonly concurrency: number;
  readonly retries: number;
  readonly timeoutMs: number;
}

/**
 * Runs a user node on the main thread for one subscription: up to `concurrency` items at once,
 * each with its own context, through the node's {@link NodeExecutor} (process, Either, local
 * retries, the call's deadline, end()). What is this side's own: the lanes and the queue for
 * them (an item waiting for a free lane is parked: that time does not count against it), the
 * sweep of the run's deadline on its clock tick, blame, and emitting children with their edges.
 *
 * @example
 * ```ts
 * import type { Observable, Subscriber } from 'rxjs';
 * import type { Envelope } from '../envelope/envelope.js';
 * import { stageContext } from '../stage/stage-context.js';
 * import type { NodeStats } from '../stage/stats.js';
 * import type { NodeSpec } from './spec.js';
 * import { validateSpec } from './validate.js';
 * import { NodeRunner } from './runner.js';
 * declare const spec: NodeSpec<string, number>;
 * declare const stats: NodeStats;
 * declare const subscriber: Subscriber<Envelope<number>>;
 * declare const source: Observable<Envelope<string>>;
 * const runner = new NodeRunner(spec, stats, stageContext(), subscriber, validateSpec('geocode', spec));
 * source.subscribe({ next: (env) => runner.next(env), complete: () => runner.complete() });
 * ```
 */
export class NodeRunner<I, O> implements Holder, ContextOwner<I, O>, GaugeSource {
  readonly executor: NodeExecutor<I, O>;
  readonly stats: NodeStats;
  readonly host: StageContext;
  readonly out: Sink<Envelope<O>>;
  private readonly options: RunnerOptions;
  private readonly queue: Envelope<I>[] = [];
  /** Async items in flight: swept for deadlines and for items whose tree failed meanwhile (a root timeout). */
  private readonly pending = new Set<InlineItemContext<I, O>>();
  private inputDone = false;
  private ended = false;
  private readonly seed: SplitSeed;
  /**
   * How long an async call without a timeoutMs of its own may take, checked on the run's tick: the
   * run's timeoutMs plus one tick (the coarse clock's slack, as for roots); 0 for none.
   */
  private readonly callLimit: number;
  private readonly gauge: NodeGauge | undefined;

  constructor(spec: NodeSpec<I, O>, stats: NodeStats, host: StageContext, out: Sink<Envelope<O>>, options: RunnerOptions) {
    // The run's deadline for a call is swept on the run's tick (below), not armed per call.
    this.executor = new NodeExecutor(spec, stats.name, { retries: options.retries, timeoutMs: options.timeoutMs, runTimeoutMs: 0, clock: host.clock });
    this.stats = stats;
    this.host = host;
    this.out = out;
    this.options = options;
    this.seed = newSeed(stats.name);
    const limit = host.timeoutMs;
    this.callLimit = options.timeoutMs > 0 || limit <= 0 ? 0 : slackOf(limit);
    host.onTick(() => this.sweep());
    host.addHolder(this);
    this.gauge = host.measure(stats, options.concurrency, this);
  }

  queued(): number {
    return this.queue.length;
  }

  laneTime(now: number, cap: number): number {
    let ms = 0;
    const gauge = this.gauge;
    if (gauge === undefined) return 0;
    for (const ctx of this.pending) if (ctx.timing !== 0) ms += Math.min(cap, now - gauge.startOf(ctx.timing));
    return ms;
  }

  /** The oldest async calls in flight (a sync call is over before anyone can look). */
  slowest(now: number, n: number): SlowItem[] {
    const gauge = this.gauge;
    if (gauge === undefined) return [];
    const timed = [...this.pending].filter((ctx) => ctx.timing !== 0);
    return oldest(timed, now, n, (ctx) => ({ start: gauge.startOf(ctx.timing), anchor: ctx.env.anchor, value: ctx.value }));
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
        this.done(ctx.timing, ctx.laneWeight);
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
    const gauge = this.gauge;
    this.executor.run(gauge === undefined ? new InlineItemContext(this, env, 0) : new InlineItemContext(this, env, 0, gauge.sampledStart(), SAMPLE_EVERY));
  }

  /** Takes the next waiting item whose tree is still live. */
  private nextWaiting(): Envelope<I> | undefined {
    for (let env = this.queue.shift(); env !== undefined; env = this.queue.shift()) {
      env.anchor.unpark(env.attempt);
      if (env.anchor.live(env.attempt)) return env;
    }
    return undefined;
  }

  /** An item has settled: start a waiting one, or end when all is done. */
  done(timing: number, weight: number): void {
    this.stats.inFlight--;
    if (timing !== 0) this.gauge?.ended(timing, weight);
    const next = this.nextWaiting();
    if (next !== undefined) this.start(next);
    else this.maybeEnd();
  }

  private maybeEnd(): void {
    if (!this.inputDone || this.ended || this.stats.inFlight > 0 || this.queue.length > 0) return;
    this.ended = true;
    if (this.executor.spec.end === undefined) {
      this.out.complete();
      return;
    }
    const ctx = new EndContextImpl(this);
    // What end() writes, the run waits for (see Writes), not the node.
    const finish = () => this.out.complete();
    // As for an item, at every level: an end() that never settles fails after the run's timeoutMs.
    this.executor.end(ctx, this.host.timeoutMs, finish, (e: unknown) => {
      this.stats.failed++;
      this.host.untracked.failAnchor({ node: this.stats.name, value: undefined, error: nodeError(this.stats.name, '(end)', e) }, 0);
      finish();
    });
  }

  track(ctx: InlineItemContext<I, O>): void {
    // An async call is always timed: from now, standing for itself alone (its lane was taken just now).
    if (this.gauge !== undefined && ctx.laneWeight !== 1) {
      if (ctx.timing === 0) ctx.timing = this.gauge.start();
      ctx.laneWeight = 1;
    }
    this.pending.add(ctx);
  }

  forget(ctx: InlineItemContext<I, O>): void {
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
