import type { Envelope } from '../envelope/envelope.js';
import { ConsecutionError, messageOf, preview, type ErrorCode } from '../errors.js';
import type { NodeStats } from './stats.js';

/**
 * Fails an envelope at a node: counts it and sends the failure up its anchor. What the user's
 * code threw becomes the cause of a `NODE_FAILED` error that names the node and the item.
 */
export function failAt(stats: NodeStats, env: Envelope<unknown>, value: unknown, thrown: unknown): void {
  stats.failed++;
  env.anchor.failAnchor({ node: stats.name, value, error: nodeError(stats.name, value, thrown) }, env.attempt);
}

/** The error a node failure is recorded with. Our own errors pass as they are. */
export function nodeError(node: string, value: unknown, thrown: unknown, code: ErrorCode = 'NODE_FAILED'): ConsecutionError {
  if (thrown instanceof ConsecutionError) return thrown;
  return new ConsecutionError(code, `node "${node}" failed on item ${preview(value)}: ${messageOf(thrown)}`, {
    node,
    cause: thrown,
  });
}

/** The error of an item whose async `process` passed the node's timeoutMs (main thread and workers alike). */
export function nodeTimeout(node: string, value: unknown, ms: number): ConsecutionError {
  return new ConsecutionError('NODE_TIMEOUT', `node "${node}" did not finish item ${preview(value)} within timeoutMs=${ms}`, { node });
}

/** Acks an envelope the node consumed (dropped, folded, written). */
export function ackAt(stats: NodeStats, env: Envelope<unknown>): void {
  stats.acked++;
  env.anchor.ackEdge(env.hi, env.lo, env.attempt);
}
