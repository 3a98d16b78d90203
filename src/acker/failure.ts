import { ConsecutionError, messageOf } from '../errors.js';

/** A serialisable error: what a failure record keeps of what was thrown. */
export interface ErrorInfo {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly stack?: string;
}

/**
 * What is kept of one failure: the input item, the node that failed it, the error with its stack,
 * and the attempt. Dead letters are failure records of items given up on.
 */
export interface FailureRecord {
  /** The input item (the root's value) the failure belongs to; for an untracked failure, the value the node saw. */
  readonly item: unknown;
  /** The name of the node that failed; for a root timeout, the stage that held it, or `consecutor` when none (or several) did. */
  readonly node: string;
  readonly error: ErrorInfo;
  /** Why a node rejected the item, when it returned an fp-ts `Left`: the Left's value. */
  readonly reason?: unknown;
  /** Attempts made so far (1 for a first failure). */
  readonly attempts: number;
  /** The root's id within its run; -1 for a failure that belongs to no root. */
  readonly root: number;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** Keeps what matters of anything thrown: name, message, code, stack (the cause's stack if it has one). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const cause = e.cause instanceof Error ? e.cause : undefined;
    const stack = cause?.stack ?? e.stack;
    return {
      name: e.name,
      message: e.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(stack === undefined ? {} : { stack }),
    };
  }
  return { name: 'Error', message: messageOf(e) };
}

/** The reason kept for an fp-ts Left, if the error carries one. */
export function reasonOf(e: unknown): { reason?: unknown } {
  return e instanceof ConsecutionError && e.code === 'NODE_REJECTED' ? { reason: e.reason } : {};
}
