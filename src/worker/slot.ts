import type { Observer, Subscription } from 'rxjs';
import type { Mode } from '../consecutor/options.js';
import type { Batch } from './batch.js';
import { Fifo } from './fifo.js';
import { Progress } from './progress.js';
import type { ToWorker } from './protocol.js';

/** Batches a worker holds at most: one to work on, one to start on at once when that is done. */
export const CREDIT = 2;

/**
 * One worker of a pool and the batches it holds.
 *
 * @example
 * ```ts
 * const slot = new Slot();
 * slot.inflight.size < CREDIT; // true: it has credit for a batch
 * ```
 */
export class Slot {
  /** Where to send; undefined while the worker is down. */
  channel: Observer<ToWorker> | undefined;
  /** The subscription that keeps the worker alive. */
  running: Subscription | undefined;
  /** Batches sent, in order: results come back one message per batch, in the same order. */
  readonly inflight = new Fifo<Batch>();
  ending = false;
  /** When the worker last showed progress: started, ready, answered a batch, or was told to end (epoch ms). */
  progressAt = 0;
  /** Whether it has loaded the node's module (said 'ready'). */
  ready = false;
  /** Which item the worker is on (a thread only: shared memory). */
  progress: Progress | undefined;
  /** Batches sent to this worker: the next one's seq is one more. */
  sent = 0;

  /** A worker of `mode` was started at `now` (epoch ms), to be reached on `channel`: not loaded yet, nothing sent. */
  up(channel: Observer<ToWorker>, mode: Mode, now: number): void {
    this.channel = channel;
    this.progressAt = now;
    this.ready = false;
    this.progress = mode === 'thread' ? new Progress() : undefined;
    this.sent = 0;
  }

  /** Stops the worker, if it runs. */
  stop(): void {
    this.channel = undefined;
    this.running?.unsubscribe();
    this.running = undefined;
  }
}

/**
 * The first worker with credit (up, not ending, holding fewer than CREDIT batches) from index
 * `from` on, round-robin: its index, or -1 when none has.
 *
 * @example
 * ```ts
 * declare const slots: Slot[];
 * let rr = 0; // where the next search starts (round robin)
 * const k = pick(slots, rr);
 * if (k >= 0) rr = (k + 1) % slots.length;
 * ```
 */
export function pick(slots: readonly Slot[], from: number): number {
  const n = slots.length;
  for (let k = 0; k < n; k++) {
    const i = (from + k) % n;
    const s = slots[i]!;
    if (s.channel !== undefined && !s.ending && s.inflight.size < CREDIT) return i;
  }
  return -1;
}

/**
 * What a worker of `mode` is called in messages.
 *
 * @example
 * ```ts
 * workerKind('process'); // 'worker process'
 * ```
 */
export function workerKind(mode: Mode): string {
  return mode === 'process' ? 'worker process' : 'worker thread';
}
