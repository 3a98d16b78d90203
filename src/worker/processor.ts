import { toErrorInfo } from '../acker/failure.js';
import { ConsecutionError, isRetryable } from '../errors.js';
import { isEither, isLeft } from '../nodes/either.js';
import type { NodeContext } from '../nodes/spec.js';
import { nodeTimeout } from '../stage/fail.js';
import { isPromiseLike } from '../stage/promise.js';
import { withTimeout } from '../stage/timeout.js';
import { Column } from './column.js';
import type { DefinedNode } from './define.js';
import type { Progress } from './progress.js';
import type { BatchMessage, Failed, Results } from './protocol.js';

/** The numeric options of a node spec, defaults applied (see validateSpec). */
export interface ProcessOptions {
  readonly concurrency: number;
  readonly retries: number;
  /** 0: none. */
  readonly timeoutMs: number;
}

/** How many values an item pushed, or why it failed. */
type Outcome = number | Failed;

/**
 * Runs a defined node over the items of a batch, in a worker, with the semantics `node()` has on
 * the main thread: local retries (not of errors that are not retryable), `timeoutMs` for an async
 * `process` (the item fails with NODE_TIMEOUT and its signal aborts), and up to `concurrency`
 * async items at once. Results come in item order.
 *
 * With `concurrency` 1 (the default) the items run one after the other on one reused context,
 * synchronously while the node is: no promise, closure or array per item.
 */
export class BatchProcessor {
  private readonly lane: Lane;
  /** Batches run so far: the sequence number Progress reports. */
  private seq = 0;

  constructor(
    private readonly node: DefinedNode<unknown, unknown>,
    /** The node's name in this run (what the main thread calls it): ctx.node, and in errors. */
    private readonly name: string,
    private readonly options: ProcessOptions,
    /** Aborts when the worker is told to end. */
    private readonly life: AbortSignal,
    /** Where it says which item it is on (a worker thread), so that a hang blames that item alone. */
    private readonly progress?: Progress,
  ) {
    this.lane = new Lane(life);
  }

  /** The results of a batch; a promise only once some item's process() is async. */
  run(batch: BatchMessage): Results | Promise<Results> {
    this.progress?.batch(++this.seq);
    const results = new Building(batch.values.length);
    const pending = this.options.concurrency > 1 ? this.concurrently(batch, results) : this.inOrder(batch, results, 0);
    return pending === undefined ? results.seal() : pending.then(() => results.seal());
  }

  /** The items from `from` on, one after the other, straight into `results`. */
  private inOrder(batch: BatchMessage, results: Building, from: number): Promise<void> | undefined {
    for (let i = from; i < batch.values.length; i++) {
      this.progress?.item(i);
      const o = this.one(batch.values[i], batch.attempts?.[i] ?? 0, 0, results.outs, this.lane);
      if (o instanceof Promise) {
        return o.then((settled) => {
          results.record(i, settled);
          return this.inOrder(batch, results, i + 1);
        });
      }
      results.record(i, o);
    }
    return undefined;
  }

  /**
   * Up to `concurrency` items at once, each into its own column; gathered in item order. Which
   * of them a hang is on cannot be told: the progress index stays unknown.
   */
  private async concurrently(batch: BatchMessage, results: Building): Promise<void> {
    const n = batch.values.length;
    const outcomes: Outcome[] = [];
    const outs: Column[] = [];
    let next = 0;
    const lane = async () => {
      const own = new Lane(this.life);
      for (let i = next++; i < n; i = next++) {
        outs[i] = new Column(1);
        outcomes[i] = await this.one(batch.values[i], batch.attempts?.[i] ?? 0, 0, outs[i]!, own);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, n) }, lane));
    for (let i = 0; i < n; i++) {
      const pushed = outs[i]!.seal();
      for (let j = 0; j < pushed.length; j++) results.outs.push(pushed[j]);
      results.record(i, outcomes[i]!);
    }
  }

  /** One try of one item, appending what it pushes to `outs`; a failed try is retried locally. */
  private one(value: unknown, attempt: number, tries: number, outs: Column, lane: Lane): Outcome | Promise<Outcome> {
    const start = outs.length;
    const ctx = lane.ctx.reset(this.name, attempt + tries, outs);
    let r: unknown;
    try {
      r = this.node.process(value, ctx);
      // Any thenable, as inline (node()): a promise library's too.
      if (!isPromiseLike(r)) return settle(ctx, r, start, outs);
    } catch (e) {
      return this.again(value, attempt, tries, outs, start, lane, e);
    }
    const timed = withTimeout(r, this.options.timeoutMs, () => this.expire(ctx, lane, value));
    return timed.then((v) => settle(ctx, v, start, outs)).catch((e: unknown) => this.again(value, attempt, tries, outs, start, lane, e));
  }

  /** A try threw or rejected: its pushes are dropped; the next local retry, or the failure. */
  private again(value: unknown, attempt: number, tries: number, outs: Column, start: number, lane: Lane, e: unknown): Outcome | Promise<Outcome> {
    outs.truncate(start);
    const retryable = isRetryable(e);
    if (retryable && tries < this.options.retries) return this.one(value, attempt, tries + 1, outs, lane);
    return { error: toErrorInfo(e), ...(retryable ? {} : { retryable: false }) };
  }

  /**
   * An async item passed timeoutMs: it fails, its signal aborts, and its context is retired: the
   * lane goes on with a new one, and what the abandoned call does later goes nowhere.
   */
  private expire(ctx: ItemContext, lane: Lane, value: unknown): Error {
    ctx.retire();
    lane.ctx = new ItemContext(this.life);
    return nodeTimeout(this.name, value, this.options.timeoutMs);
  }
}

/** Where items run one after the other: the context it reuses. */
class Lane {
  ctx: ItemContext;

  constructor(life: AbortSignal) {
    this.ctx = new ItemContext(life);
  }
}

/** The results of a batch being built: `counts` stays undefined while every item pushed one value. */
class Building {
  counts: number[] | undefined = undefined;
  readonly outs: Column;
  readonly failed: Failed[] = [];
  /** When the worker began the batch. */
  private readonly started = performance.now();

  constructor(items: number) {
    this.outs = new Column(items);
  }

  record(i: number, o: Outcome): void {
    if (o === 1 && this.counts === undefined) return;
    if (this.counts === undefined) {
      this.counts = [];
      for (let j = 0; j < i; j++) this.counts.push(1);
    }
    if (typeof o === 'number') this.counts.push(o);
    else {
      this.counts.push(-1);
      this.failed.push(o);
    }
  }

  seal(): Results {
    return { t: 'results', counts: this.counts, outs: this.outs.seal(), failed: this.failed, ms: performance.now() - this.started };
  }
}

/** What a try returned, once the node is done with the item; throws what the node failed it with. */
function settle(ctx: ItemContext, r: unknown, start: number, outs: Column): Outcome {
  if (ctx.settled === ACKED) return outs.length - start;
  if (ctx.settled !== undefined) throw ctx.settled.error;
  if (isEither(r)) {
    if (isLeft(r)) {
      outs.truncate(start);
      return { error: toErrorInfo(new Error('rejected')), reason: r.left, rejected: true };
    }
    r = r.right;
  }
  if (r !== undefined) outs.push(r);
  return outs.length - start;
}

const ACKED = 'acked';

/** What `ctx.write()` throws in a worker: outputs live on the main thread. */
export function writeUnavailable(node: string): ConsecutionError {
  return new ConsecutionError('NODE_FAILED', `node "${node}": ctx.write() is not available in an offloaded node; push values instead`);
}

/** The context a worker's node gets, reused from item to item of a lane: no closure per item. */
class ItemContext implements NodeContext<unknown> {
  node = '';
  attempt = 0;
  settled: typeof ACKED | { error: unknown } | undefined = undefined;
  private outs: Column | undefined = undefined;
  /** The item's own abort, made when its signal is first asked for. */
  private controller: AbortController | undefined = undefined;
  private itemSignal: AbortSignal | undefined = undefined;
  private retired = false;

  constructor(private readonly life: AbortSignal) {}

  reset(node: string, attempt: number, outs: Column): this {
    this.node = node;
    this.attempt = attempt;
    this.settled = undefined;
    this.outs = outs;
    this.controller = undefined;
    this.itemSignal = undefined;
    return this;
  }

  get signal(): AbortSignal {
    if (this.itemSignal === undefined) {
      this.controller = new AbortController();
      if (this.retired) this.controller.abort();
      this.itemSignal = AbortSignal.any([this.controller.signal, this.life]);
    }
    return this.itemSignal;
  }

  /** The item timed out: abort its signal and ignore whatever its call does from now on. */
  retire(): void {
    this.retired = true;
    this.controller?.abort();
  }

  push(value: unknown): void {
    if (!this.retired) this.outs!.push(value);
  }

  write(): void {
    throw writeUnavailable(this.node);
  }

  ack(): void {
    if (!this.retired) this.settled = ACKED;
  }

  fail(error: unknown): void {
    if (!this.retired) this.settled = { error };
  }
}
