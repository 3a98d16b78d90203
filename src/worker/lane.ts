import type { ErrorInfo } from '../acker/failure.js';
import type { NodeExecutor } from '../nodes/executor.js';
import type { BatchWork } from './batch-work.js';
import type { Progress } from './progress.js';
import { WorkerItemContext, type ContextLane, type Outcome } from './worker-context.js';

/** What a lane needs of the processor it belongs to. */
export interface LaneOwner {
  readonly executor: NodeExecutor<unknown, unknown>;
  readonly life: AbortSignal;
  misused(error: ErrorInfo, value: unknown): void;
}

/**
 * Where a worker runs a node's items one after the other, on one reused context: it takes the
 * next item of its batch when the one before has settled, in a loop while the node is
 * synchronous (no promise, closure or array per item), from the settling call once it is not.
 * A node with `concurrency` n has n lanes, sharing a batch.
 *
 * @example
 * ```ts
 * import type { BatchWork } from './batch-work.js';
 * import { Lane, type LaneOwner } from './lane.js';
 * import type { Progress } from './progress.js';
 * declare const processor: LaneOwner;
 * declare const progress: Progress | undefined; // with one lane only: which item it is on
 * declare const work: BatchWork;
 * const lane = new Lane(processor, progress);
 * lane.start(work);
 * ```
 */
export class Lane implements ContextLane {
  readonly executor: NodeExecutor<unknown, unknown>;
  readonly life: AbortSignal;
  private ctx: WorkerItemContext;
  private work: BatchWork | undefined = undefined;
  /** In the loop of {@link drive}: an item that settles now is picked up by the loop, not by a new one. */
  private driving = false;

  constructor(
    private readonly owner: LaneOwner,
    /** Where the lane says which item it is on; only when it is the node's one lane. */
    private readonly progress: Progress | undefined,
  ) {
    this.executor = owner.executor;
    this.life = owner.life;
    this.ctx = new WorkerItemContext(this);
  }

  /** Works through `work`'s items, with the other lanes it is given to. */
  start(work: BatchWork): void {
    this.work = work;
    this.drive();
  }

  private drive(): void {
    const work = this.work!;
    this.driving = true;
    for (let i = work.take(); i >= 0; i = work.take()) {
      this.progress?.item(i);
      if (this.ctx.calling) this.ctx = new WorkerItemContext(this);
      this.executor.run(this.ctx.reset(work.values[i], work.attempts?.[i] ?? 0, 0, i, work.column(i)));
      // Async (the item's last try is on the lane's context): its settling drives the lane on.
      if (!this.ctx.settled) break;
    }
    this.driving = false;
  }

  settled(index: number, outcome: Outcome): void {
    this.work!.settled(index, outcome);
    if (!this.driving) this.drive();
  }

  fresh(): WorkerItemContext {
    return (this.ctx = new WorkerItemContext(this));
  }

  misused(error: ErrorInfo, value: unknown): void {
    this.owner.misused(error, value);
  }
}
