// The messages between the main thread and a worker (a thread, a child process, or inline).
// Items go in batches; the worker processes a batch's items in order and answers with one
// results message per batch, in order, so the main side keeps its in-flight items in a FIFO.
import type { ErrorInfo } from '../acker/failure.js';

export type ToWorker =
  | { readonly t: 'init'; readonly url: string }
  | { readonly t: 'batch'; readonly values: readonly unknown[]; readonly attempts: readonly number[] }
  | { readonly t: 'end' };

/** An item's outcome: what it pushed, or why it failed. */
export type Outcome = { readonly outs: readonly unknown[] } | { readonly error: ErrorInfo; readonly reason?: unknown; readonly rejected?: boolean };

export type FromWorker =
  | { readonly t: 'ready'; readonly name: string }
  | { readonly t: 'fatal'; readonly error: ErrorInfo }
  | { readonly t: 'results'; readonly outcomes: readonly Outcome[] }
  | { readonly t: 'ended'; readonly outs: readonly unknown[]; readonly error?: ErrorInfo };
