// The messages between the main thread and a worker (a thread, a child process, or inline).
// Items go in batches; the worker processes a batch's items in order and answers with one
// results message per batch, in order, so the main side keeps its in-flight batches in a FIFO.
// A message costs a structured clone of every array in it, element by element: what is the same
// for every item of a batch in the common case (first attempt, one result per item) is left out.
import type { ErrorInfo } from '../acker/failure.js';

/** A batch of items to process. */
export interface BatchMessage {
  readonly t: 'batch';
  /** The items' values (a Float64Array when they are all numbers: see wire.ts). */
  readonly values: ArrayLike<unknown>;
  /** The attempt of each item; undefined when every item is on its first attempt (0). */
  readonly attempts: readonly number[] | undefined;
}

/** The first message: the node's module, and its name in the run (ctx.node and errors use it). */
export interface Init {
  readonly t: 'init';
  readonly url: string;
  readonly name: string;
  /** The run's timeoutMs: the deadline of a node call when the node has no timeoutMs of its own; absent: none. */
  readonly timeoutMs?: number;
  /** A worker thread's shared progress (see Progress): which item of which batch it is on. */
  readonly progress?: Int32Array | undefined;
}

export type ToWorker = Init | BatchMessage | { readonly t: 'end' };

/** Why an item failed in a worker. */
export interface Failed {
  readonly error: ErrorInfo;
  /** Set when the node returned an fp-ts Left: its value. */
  readonly reason?: unknown;
  readonly rejected?: boolean;
  /** False when the error was a ConsecutionError that trying again cannot help. */
  readonly retryable?: false;
}

/**
 * A call the node made on a context whose item was already settled (`ctx.push()` after
 * `ctx.ack()`): refused in the worker, and recorded on the main side as one of the run's errors,
 * as it is inline.
 */
export interface Misuse {
  readonly error: ErrorInfo;
  /** The item whose context it was. */
  readonly item: unknown;
}

/**
 * The outcomes of one batch, flat (one structured clone for the batch, no object per item):
 * `counts[i]` is how many values item i pushed (taken in order from `outs`), or -1 when it failed
 * (its failure is the next of `failed`). `counts` is undefined when every item pushed exactly one
 * value: then `outs[i]` is item i's.
 */
export interface Results {
  readonly t: 'results';
  readonly counts: readonly number[] | undefined;
  /** What the items pushed, in order (a Float64Array when they are all numbers: see wire.ts). */
  readonly outs: ArrayLike<unknown>;
  readonly failed: readonly Failed[];
  /**
   * How long the worker spent on the batch, in ms by its own clock: the pace the batch sizer goes
   * by. Timed on the main side, answers read late and back to back (a busy main thread) would
   * make a slow node look fast.
   */
  readonly ms: number;
  /** Misuses since the worker's last answer; undefined when there were none. */
  readonly misuses: readonly Misuse[] | undefined;
}

export type FromWorker =
  | { readonly t: 'ready'; /** The spec's concurrency: items a worker works on at once. */ readonly concurrency: number }
  | { readonly t: 'fatal'; readonly error: ErrorInfo }
  | Results
  | { readonly t: 'ended'; readonly outs: readonly unknown[]; readonly error?: ErrorInfo; readonly misuses?: readonly Misuse[] | undefined };
