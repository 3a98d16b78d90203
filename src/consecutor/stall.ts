import type { Acker } from '../acker/acker.js';
import type { Writes } from '../outputs/writes.js';
import type { NodeRegistry } from '../stage/stage-context.js';
import type { Clock, TimerHandle } from '../types.js';

/** How often a run paused at maxPending looks again for a stall while work is in flight. */
const STALL_POLL_MS = 2;

/** What the stall check of one run looks at (see {@link StallCheck}). */
export interface StallParts {
  readonly clock: Clock;
  readonly acker: Acker | undefined;
  readonly maxPending: number;
  /** The stages' flushes of partial batches (see StageContext.onDrain). */
  readonly drainers: readonly (() => void)[];
  /** The nodes, asked whether work is in flight before a stall is declared. */
  readonly registry: NodeRegistry;
  /** The writes the run waits for: while any is awaited, there is no stall. */
  readonly writes: Writes;
}

/**
 * The source is paused at maxPending. If no node has work in flight, nothing can settle an item
 * but a flush: the pending items sit in partial batches that can never fill while the source is
 * paused. Flush them then (soon, so that work just started gets its chance first). While work is
 * in flight (an async node, a worker) look again shortly: when it is done, its items may land in a
 * partial batch, and then nothing would call this again.
 *
 * @example
 * ```ts
 * declare const parts: StallParts;
 * const stall = new StallCheck(parts);
 * stall.paused(); // the pump stopped at maxPending
 * stall.close(); // the run ended
 * ```
 */
export class StallCheck {
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly parts: StallParts) {}

  /** The pump stopped at maxPending: look for a stall soon, unless a look is already due. */
  paused(): void {
    if (this.timer !== undefined || this.closed || this.parts.drainers.length === 0) return;
    this.timer = this.parts.clock.setTimeout(() => this.look(), 0);
  }

  close(): void {
    this.closed = true;
    this.parts.clock.clearTimeout(this.timer);
  }

  private look(): void {
    this.timer = undefined;
    const { acker, maxPending, registry, writes, clock, drainers } = this.parts;
    if (this.closed || acker === undefined || acker.pending < maxPending) return;
    if (registry.nodes.some((s) => s.inFlight > 0) || writes.size > 0) {
      this.timer = clock.setTimeout(() => this.look(), STALL_POLL_MS);
      return;
    }
    for (const flush of drainers) flush();
  }
}
