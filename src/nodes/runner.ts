import { isEither, isLeft, rejection } from './either.js';
import type { Subscriber } from 'rxjs';
import { Envelope } from '../envelope/envelope.js';
import { nextEdgeHalf, nextEdgeLo } from '../envelope/edge.js';
import { childHi, childLo, newSeed, seedFrom, type SplitSeed } from '../envelope/split.js';
import { ConsecutionError, isRetryable } from '../errors.js';
import { isPromiseLike } from '../stage/promise.js';
import { withTimeout } from '../stage/timeout.js';
import { ackAt, failAt, nodeError, nodeTimeout } from '../stage/fail.js';
import type { Host } from '../stage/host.js';
import type { NodeStats } from '../stage/stats.js';
import type { EndContext, NodeContext, NodeSpec } from './spec.js';

export interface RunnerOptions {
  readonly concurrency: number;
  readonly retries: number;
  readonly timeoutMs: number;
}

/**
 * Runs a user node for one subscription: up to `concurrency` items at once, each with its own
 * context, local retries, an optional deadline, and `end()` once the input is done.
 */
export class NodeRunner<I, O> {
  readonly spec: NodeSpec<I, O>;
  readonly stats: NodeStats;
  readonly host: Host;
  readonly out: Subscriber<Envelope<O>>;
  private readonly options: RunnerOptions;
  private readonly queue: Envelope<I>[] = [];
  /** Async items in flight, swept for items whose tree failed meanwhile (a root timeout). */
  private readonly pending = new Set<ItemContext<I, O>>();
  private inputDone = false;
  private ended = false;
  private readonly seed: SplitSeed;

  constructor(spec: NodeSpec<I, O>, stats: NodeStats, host: Host, out: Subscriber<Envelope<O>>, options: RunnerOptions) {
    this.spec = spec;
    this.stats = stats;
    this.host = host;
    this.out = out;
    this.options = options;
    this.seed = newSeed(stats.name);
    host.onTick(() => this.sweep());
  }

  /**
   * Abandons in-flight items whose tree has failed or settled elsewhere (timed out, failed in
   * another branch): their slot is freed and their signal aborted, so a hung call cannot hold the
   * node's concurrency forever, and the replayed item is not stuck behind it.
   */
  private sweep(): void {
    for (const ctx of this.pending) {
      if (!ctx.env.anchor.live(ctx.env.attempt)) {
        ctx.abandon();
        this.done();
      }
    }
  }

  next(env: Envelope<I>): void {
    this.stats.received++;
    if (this.stats.inFlight >= this.options.concurrency) this.queue.push(env);
    else this.start(env);
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
    let env = this.queue.shift();
    while (env !== undefined && !env.anchor.live(env.attempt)) env = this.queue.shift();
    return env;
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
    const finish = () => {
      void ctx.writesDone().then(() => this.out.complete());
    };
    const fail = (e: unknown) => {
      this.stats.failed++;
      this.host.loose.failAnchor({ node: this.stats.name, value: undefined, error: nodeError(this.stats.name, '(end)', e) }, 0);
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
   * Waits for an async end(); at the tracked levels for no longer than the run's timeoutMs, as
   * for an item: an end() that never settles would keep the run from ever ending.
   */
  private awaitEnd(r: PromiseLike<unknown>, finish: () => void, fail: (e: unknown) => void): void {
    const limit = this.host.guarantee === 'none' ? 0 : this.host.timeoutMs;
    withTimeout(r, limit, () => nodeTimeout(this.stats.name, '(end)', limit)).then(finish, fail);
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

/** The context of one item in one try. */
class ItemContext<I, O> implements NodeContext<O> {
  readonly env: Envelope<I>;
  readonly tries: number;
  pushes = 0;
  settled = false;
  /** Settled from outside: timed out, or abandoned because its tree failed elsewhere. */
  cut = false;
  private readonly runner: NodeRunner<I, O>;
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(runner: NodeRunner<I, O>, env: Envelope<I>, tries: number) {
    this.runner = runner;
    this.env = env;
    this.tries = tries;
  }

  get node(): string {
    return this.runner.stats.name;
  }

  get attempt(): number {
    return this.env.attempt + this.tries;
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.settled) this.controller.abort();
    }
    return AbortSignal.any([this.controller.signal, this.runner.host.signal]);
  }

  arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.cut = true;
      this.controller?.abort();
      this.runner.failed(this, nodeTimeout(this.node, this.env.value, ms));
    }, ms);
  }

  settle(): void {
    this.settled = true;
    this.runner.forget(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Its tree failed elsewhere: stop waiting for it. */
  abandon(): void {
    this.cut = true;
    this.settle();
    this.controller ??= new AbortController();
    this.controller.abort();
  }

  /**
   * Refuses a call on a settled item. The refusal is recorded (report.errors, failures) as well
   * as thrown: once the item is settled, what process() throws goes nowhere else, and the value
   * it tried to push would otherwise vanish without a trace.
   */
  private live(what: string): void {
    if (!this.settled) return;
    const error = new ConsecutionError(
      'NODE_FAILED',
      `node "${this.node}" called ctx.${what}() after its item was settled (returned, acked, failed or timed out)`,
      { node: this.node },
    );
    // Slow code still running after a timeout or an abandon is expected (its signal aborted); only
    // a call after the node itself settled the item (returned, ack, fail) is a mistake to record.
    if (!this.cut) this.runner.host.loose.failAnchor({ node: this.node, value: this.env.value, error }, 0);
    throw error;
  }

  push(value: O): void {
    this.live('push');
    this.pushes++;
    this.runner.emitChild(this.env, value, this.tries, this.pushes);
  }

  write(output: string, value: unknown): void {
    this.live('write');
    const env = this.env;
    const confirm = this.runner.host.output(output, this.node).write(value);
    if (!isPromiseLike(confirm)) return;
    // The write is a child of the item: the item completes when the write is confirmed.
    const hi = nextEdgeHalf();
    const lo = nextEdgeLo();
    const { anchor, attempt } = env;
    anchor.addEdge(hi, lo, attempt);
    confirm.then(
      () => anchor.ackEdge(hi, lo, attempt),
      (e: unknown) => anchor.failAnchor({ node: this.node, value: env.value, error: nodeError(this.node, value, e, 'OUTPUT_FAILED') }, attempt),
    );
  }

  ack(): void {
    this.live('ack');
    this.settle();
    ackAt(this.runner.stats, this.env);
    this.runner.done();
  }

  fail(error: unknown): void {
    this.live('fail');
    this.runner.failed(this, error);
  }
}

/** The context of `end()`: what it pushes or writes belongs to no input item. */
class EndContextImpl<I, O> implements EndContext<O> {
  private readonly runner: NodeRunner<I, O>;
  private readonly writes: PromiseLike<unknown>[] = [];

  constructor(runner: NodeRunner<I, O>) {
    this.runner = runner;
  }

  get node(): string {
    return this.runner.stats.name;
  }

  get signal(): AbortSignal {
    return this.runner.host.signal;
  }

  push(value: O): void {
    this.runner.stats.emitted++;
    this.runner.out.next(new Envelope(value, this.runner.host.loose, 0, 1, 0));
  }

  write(output: string, value: unknown): void {
    const confirm = this.runner.host.output(output, this.node).write(value);
    if (isPromiseLike(confirm)) {
      this.writes.push(
        Promise.resolve(confirm).catch((e: unknown) =>
          this.runner.host.loose.failAnchor({ node: this.node, value, error: nodeError(this.node, value, e, 'OUTPUT_FAILED') }, 0),
        ),
      );
    }
  }

  async writesDone(): Promise<void> {
    await Promise.all(this.writes);
  }
}
