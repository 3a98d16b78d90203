// The messages between the main thread and a worker (a thread, a child process, or inline).
// Items go in batches; the worker processes a batch's items in order and answers with one
// results message per batch, in order, so the main side keeps its in-flight items in a FIFO.
import type { ErrorInfo } from '../acker/failure.js';

export type ToWorker =
  | { readonly t: 'init'; readonly url: string }
  | { readonly t: 'batch'; readonly values: readonly unknown[]; readonly attempts: readonly number[] }
  | { readonly t: 'end' };

/** Why an item failed in a worker. */
export interface Failed {
  readonly error: ErrorInfo;
  /** Set when the node returned an fp-ts Left: its value. */
  readonly reason?: unknown;
  readonly rejected?: boolean;
}

/**
 * The outcomes of one batch, flat (one structured clone for the batch, no object per item):
 * `counts[i]` is how many values item i pushed (taken in order from `outs`), or -1 when it failed
 * (its failure is the next of `failed`).
 */
export interface Results {
  readonly t: 'results';
  readonly counts: readonly number[];
  readonly outs: readonly unknown[];
  readonly failed: readonly Failed[];
}

export type FromWorker =
  | { readonly t: 'ready'; readonly name: string }
  | { readonly t: 'fatal'; readonly error: ErrorInfo }
  | Results
  | { readonly t: 'ended'; readonly outs: readonly unknown[]; readonly error?: ErrorInfo };
