import type { Subscriber } from 'rxjs';
import { Envelope } from '../envelope/envelope.js';
import { ConsecutionError } from '../errors.js';
import { ackAt, nodeTimeout } from '../stage/fail.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import type { TimerHandle } from '../types.js';
import type { EndContext, NodeContext } from './spec.js';

/** What the contexts of a node's items need of the NodeRunner that made them. */
export interface ContextOwner<I, O> {
  readonly stats: NodeStats;
  readonly host: StageContext;
  readonly out: Subscriber<Envelope<O>>;
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
  /** How many times it called ctx.write(): the index of each written child. */
  written = 0;
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
    // A child of the item, confirmed through the output's writer: the item completes once it is.
    this.runner.host.output(output, this.node).writeChild(value, this.env, this.tries, ++this.written);
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
    // Of no item: the run waits for it before it reports, and gives it up after timeoutMs.
    this.runner.host.output(output, this.node).writeValue(value);
  }
}
