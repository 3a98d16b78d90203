import type { NodeStats } from '../stage/stats.js';

/** Process-time latency of a node's calls, in milliseconds, from a streaming sketch (1 % relative accuracy). */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** One of the oldest items in flight at a node. */
export interface SlowItem {
  /** The root's id within its run (as in failure records). */
  readonly root: number;
  /** How long it has been in the node, in milliseconds. */
  readonly ms: number;
  /** A short preview of the item the node holds. */
  readonly preview: string;
}

/**
 * What a node did and does, in `c.metrics()` and the report: exact counts (never sampled), and
 * over the last 10 s window `busy` (Storm's capacity: the share of time its lanes were working, 0..1,
 * averaged over its concurrency) and `rate` (items received per second).
 */
export interface NodeMetrics extends Readonly<NodeStats> {
  /** Items waiting for a free lane (nodes with `concurrency`, offloaded nodes); 0 elsewhere. */
  readonly queued: number;
  /** The share of the window its lanes were working, 0..1 (nodes that run calls; 0 elsewhere). */
  readonly busy: number;
  /** Items received per second over the window. */
  readonly rate: number;
  /** Nodes that run calls (node(), offload()): process time per call; undefined before the first. */
  readonly latency?: LatencySummary;
  /** Offloaded nodes: workers working and waiting. */
  readonly workers?: { readonly running: number; readonly idle: number };
  /** The five oldest items in flight at the node, oldest first. */
  readonly slowest: readonly SlowItem[];
}

/** What a run does now, beside its counts. */
export interface RunGauges {
  /** Items admitted per second over the last 10 s. */
  readonly rate: number;
  /** Time the source waited because `maxPending` items were pending, in milliseconds. */
  readonly blockedMs: number;
  /** Failed items sent in again (`replay`): the same as `retried`. */
  readonly replayed: number;
  /** When the source knows how much it holds (an array; a file, by bytes): how far it is read. */
  readonly progress?: { readonly done: number; readonly total: number; readonly unit: 'items' | 'bytes' };
}
