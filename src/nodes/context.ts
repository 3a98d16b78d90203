import { Envelope } from '../envelope/envelope.js';
import type { ConsecutionError } from '../errors.js';
import { ackAt, failAt } from '../stage/fail.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import { rejection } from './either.js';
import type { NodeExecutor } from './executor.js';
import { ItemContext } from './item-context.js';
import type { EndContext } from './spec.js';
import type { Sink } from '../stage/link.js';

/** What the contexts of a node's items need of the NodeRunner that made them. */
export interface ContextOwner<I, O> {
  readonly executor: NodeExecutor<I, O>;
  readonly stats: NodeStats;
  readonly host: StageContext;
  readonly out: Sink<Envelope<O>>;
  /** The item's call went async: it is swept for its deadline, and blamed if its root times out. */
  track(ctx: InlineItemContext<I, O>): void;
  /** The item settled: it is no longer in flight. */
  forget(ctx: InlineItemContext<I, O>): void;
  /** A lane is free; `timing` is the item's slot in the node's gauge (0: not timed), standing for `weight` items. */
  done(timing: number, weight: number): void;
  emitChild(parent: Envelope<I>, value: O, tries: number, n: number): void;
}

/**
 * The context of one item in one try on the main thread (see {@link ItemContext}): a push emits a
 * child envelope at once; the item's result passes its anchor on; acking and failing go to the
 * item's root; each local try gets a fresh context, so what an earlier try does later is refused.
 *
 * @example
 * ```ts
 * declare const runner: ContextOwner<number, number>;
 * declare const env: Envelope<number>;
 * runner.executor.run(new InlineItemContext(runner, env, 0)); // its first try
 * ```
 */
export class InlineItemContext<I, O> extends ItemContext<I, O> {
  // Declared, assigned in the constructor: see ItemContext.
  declare readonly env: Envelope<I>;
  /** When its async call began (the run's coarse clock); 0 while it has not. */
  declare startedAt: number;
  /** How many times it called ctx.write(): the index of each written child. */
  declare written: number;
  /** Its slot in the node's gauge, which holds when it took its lane (see NodeGauge.start); 0 when it is not timed. */
  declare timing: number;
  /** How many items its timing stands for (see NodeGauge.sampledStart). */
  declare laneWeight: number;
  private declare readonly runner: ContextOwner<I, O>;

  constructor(runner: ContextOwner<I, O>, env: Envelope<I>, tries: number, timing = 0, laneWeight = 1) {
    super(runner.executor, env.value, env.attempt, tries);
    this.env = env;
    this.startedAt = 0;
    this.timing = timing;
    this.laneWeight = laneWeight;
    this.written = 0;
    this.runner = runner;
  }

  protected get life(): AbortSignal {
    return this.runner.host.signal;
  }

  override began(): void {
    this.startedAt = this.runner.host.now;
    this.runner.track(this);
  }

  override settle(): void {
    super.settle();
    if (this.startedAt !== 0) this.runner.forget(this);
  }

  emit(value: O): void {
    this.runner.emitChild(this.env, value, this.tries, this.pushes);
  }

  passOn(value: O): void {
    const env = this.env as unknown as Envelope<O>;
    env.value = value;
    this.runner.stats.emitted++;
    this.runner.out.next(env);
    this.runner.done(this.timing, this.laneWeight);
  }

  acked(): void {
    ackAt(this.runner.stats, this.env);
    this.runner.done(this.timing, this.laneWeight);
  }

  rejected(reason: unknown): void {
    failAt(this.runner.stats, this.env, this.value, rejection(this.node, this.value, reason));
    this.runner.done(this.timing, this.laneWeight);
  }

  failed(error: unknown): void {
    failAt(this.runner.stats, this.env, this.value, error);
    this.runner.done(this.timing, this.laneWeight);
  }

  retry(): InlineItemContext<I, O> {
    return new InlineItemContext(this.runner, this.env, this.tries + 1, this.timing, this.laneWeight);
  }

  protected misused(error: ConsecutionError): void {
    this.runner.host.untracked.failAnchor({ node: this.node, value: this.value, error }, 0);
  }

  write(output: string, value: unknown): void {
    this.live('write');
    // A child of the item, confirmed through the output's writer: the item completes once it is.
    this.runner.host.output(output, this.node).writeChild(value, this.env, this.tries, ++this.written);
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
