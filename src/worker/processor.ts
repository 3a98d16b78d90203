import type { ErrorInfo } from '../acker/failure.js';
import { NodeExecutor } from '../nodes/executor.js';
import { BatchWork } from './batch-work.js';
import type { DefinedNode } from './define.js';
import { Lane, type LaneOwner } from './lane.js';
import type { Progress } from './progress.js';
import type { BatchMessage, Misuse, Results } from './protocol.js';
import { WorkerEndContext } from './worker-context.js';

/** The numeric options of a node spec, defaults applied (see validateSpec). */
export interface ProcessOptions {
  readonly concurrency: number;
  readonly retries: number;
  /** 0: none. */
  readonly timeoutMs: number;
}

/** What the worker's end() gave: its pushes, and its failure if it failed. */
export interface EndOutcome {
  readonly outs: unknown[];
  readonly misuses: Misuse[] | undefined;
  readonly failure?: { readonly error: unknown };
}

/**
 * Runs a defined node over the items of a batch, in a worker, through the node's
 * {@link NodeExecutor}: the semantics `node()` has on the main thread (local retries, Either, the
 * call's deadline: the node's timeoutMs, else the run's). What is this side's own: batches, in
 * lanes (up to `concurrency` items at once), their results in item order, and saying which item
 * it is on (Progress).
 *
 * With `concurrency` 1 (the default) the items run one after the other on one reused context,
 * synchronously while the node is: no promise, closure or array per item.
 *
 * @example
 * ```ts
 * import { validateSpec } from '../nodes/validate.js';
 * import type { DefinedNode } from './define.js';
 * import { BatchProcessor } from './processor.js';
 * import type { BatchMessage } from './protocol.js';
 * declare const spec: DefinedNode<unknown, unknown>;
 * declare const batch: BatchMessage;
 * const abort = new AbortController();
 * const processor = new BatchProcessor(spec, 'score', validateSpec('score', spec), 30_000, abort.signal);
 * const results = processor.run(batch); // a promise only once some item's process() is async
 * ```
 */
export class BatchProcessor implements LaneOwner {
  readonly executor: NodeExecutor<unknown, unknown>;
  private readonly lanes: Lane[];
  /** Misuses (a call on a settled context) not sent yet: they go with the next answer. */
  private readonly misuses: Misuse[] = [];
  /** Batches run so far: the sequence number Progress reports. */
  private seq = 0;

  constructor(
    node: DefinedNode<unknown, unknown>,
    /** The node's name in this run (what the main thread calls it): ctx.node, and in errors. */
    private readonly name: string,
    options: ProcessOptions,
    /** The run's timeoutMs: the deadline of a call when the node has none of its own. */
    runTimeoutMs: number,
    /** Aborts when the worker is told to end. */
    readonly life: AbortSignal,
    /** Where it says which item it is on (a worker thread), so that a hang blames that item alone. */
    private readonly progress?: Progress,
  ) {
    this.executor = new NodeExecutor(node, name, { retries: options.retries, timeoutMs: options.timeoutMs, runTimeoutMs });
    // Several items at once cannot say which of them a hang is on: the progress index stays unknown.
    const one = options.concurrency === 1 ? progress : undefined;
    this.lanes = Array.from({ length: options.concurrency }, () => new Lane(this, one));
  }

  /** The results of a batch; a promise only once some item's process() is async. */
  run(batch: BatchMessage): Results | Promise<Results> {
    this.progress?.batch(++this.seq);
    const lanes = Math.min(this.lanes.length, batch.values.length);
    const work = new BatchWork(batch, lanes <= 1, this.misuses);
    for (let k = 0; k < lanes; k++) this.lanes[k]!.start(work);
    return work.left === 0 ? work.seal() : work.done();
  }

  /** Runs end(), if the node has one, with no deadline here: the pool stops a worker hung in it. */
  end(): Promise<EndOutcome> {
    const ctx = new WorkerEndContext(this.name, this.life);
    return new Promise((resolve) => {
      const outcome = (failure?: { error: unknown }) => {
        const misuses = this.misuses.length === 0 ? undefined : this.misuses.splice(0);
        resolve(failure === undefined ? { outs: ctx.outs, misuses } : { outs: ctx.outs, misuses, failure });
      };
      this.executor.end(ctx, 0, outcome, (error: unknown) => outcome({ error }));
    });
  }

  misused(error: ErrorInfo, value: unknown): void {
    this.misuses.push({ error, item: value });
  }
}
