import type { Subscriber } from 'rxjs';
import { Envelope, type Anchor } from '../envelope/envelope.js';
import { nextEdgeHalf, nextEdgeLo } from '../envelope/edge.js';
import { ConsecutionError, preview } from '../errors.js';
import { isPromiseLike } from '../stage/promise.js';
import { withTimeout } from '../stage/timeout.js';
import { ackAt, nodeError, nodeTimeout } from '../stage/fail.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import type { TimerHandle } from '../types.js';
import type { EndContext, NodeContext } from './spec.js';

/** A write `ctx.write()` made for an item, not confirmed yet: for blame, if the item times out. */
export interface ItemWrite {
  readonly anchor: Anchor;
  readonly attempt: number;
  readonly output: string;
  /** When it was made (the run's coarse clock). */
  readonly since: number;
}

/** What the contexts of a node's items need of the NodeRunner that made them. */
export interface ContextOwner<I, O> {
  readonly stats: NodeStats;
  readonly host: StageContext;
  readonly out: Subscriber<Envelope<O>>;
  /** Writes of tracked items not confirmed yet. */
  readonly writes: Set<ItemWrite>;
  /** The item's call threw, rejected or timed out. */
  failed(ctx: ItemContext<I, O>, e: unknown): void;
  /** The item settled: it is no longer in flight. */
  forget(ctx: ItemContext<I, O>): void;
  /** A lane is free. */
  done(): void;
  emitChild(parent: Envelope<I>, value: O, tries: number, n: number): void;
}

/** The context of one item in one try. */
export class ItemContext<I, O> implements NodeContext<O> {
  readonly env: Envelope<I>;
  readonly tries: number;
  pushes = 0;
  settled = false;
  /** When an async call began (the run's coarse clock). */
  startedAt = 0;
  /** Settled from outside: timed out, or abandoned because its tree failed elsewhere. */
  cut = false;
  private readonly runner: ContextOwner<I, O>;
  private controller: AbortController | undefined;
  private timer: TimerHandle | undefined;

  constructor(runner: ContextOwner<I, O>, env: Envelope<I>, tries: number) {
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
    this.timer = this.runner.host.clock.setTimeout(() => this.timeOut(ms), ms);
  }

  /** Its deadline (`ms`) passed: the call fails with NODE_TIMEOUT, its signal aborts, its lane is freed. */
  timeOut(ms: number): void {
    this.cut = true;
    this.controller?.abort();
    this.runner.failed(this, nodeTimeout(this.node, this.env.value, ms));
  }

  settle(): void {
    this.settled = true;
    this.runner.forget(this);
    if (this.timer !== undefined) this.runner.host.clock.clearTimeout(this.timer);
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
    if (!this.cut) this.runner.host.untracked.failAnchor({ node: this.node, value: this.env.value, error }, 0);
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
    const { writes } = this.runner;
    const w: ItemWrite | undefined = anchor.tracked ? { anchor, attempt, output, since: this.runner.host.now } : undefined;
    if (w !== undefined) writes.add(w);
    confirm.then(
      () => {
        if (w !== undefined) writes.delete(w);
        anchor.ackEdge(hi, lo, attempt);
      },
      (e: unknown) => {
        if (w !== undefined) writes.delete(w);
        anchor.failAnchor({ node: this.node, value: env.value, error: nodeError(this.node, value, e, 'OUTPUT_FAILED') }, attempt);
      },
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
export class EndContextImpl<I, O> implements EndContext<O> {
  private readonly runner: ContextOwner<I, O>;
  private readonly writes: PromiseLike<unknown>[] = [];

  constructor(runner: ContextOwner<I, O>) {
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
    this.runner.out.next(new Envelope(value, this.runner.host.untracked, 0, 1, 0));
  }

  write(output: string, value: unknown): void {
    const { host } = this.runner;
    const confirm = host.output(output, this.node).write(value);
    if (isPromiseLike(confirm)) {
      // A write that is never confirmed must not keep the run from ending.
      const unconfirmed = () =>
        new ConsecutionError(
          'OUTPUT_FAILED',
          `output "${output}" did not confirm the write of ${preview(value)} by node "${this.node}"'s end() within timeoutMs=${host.timeoutMs}`,
          { node: this.node },
        );
      this.writes.push(
        withTimeout(confirm, host.timeoutMs, unconfirmed, host.clock).catch((e: unknown) =>
          host.untracked.failAnchor({ node: this.node, value, error: nodeError(this.node, value, e, 'OUTPUT_FAILED') }, 0),
        ),
      );
    }
  }

  async writesDone(): Promise<void> {
    await Promise.all(this.writes);
  }
}
