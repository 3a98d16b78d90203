import type { Anchor } from '../envelope/envelope.js';

/** Where one stage holds a timed-out item's work: the stage's name, and what it is doing with it. */
export interface Blame {
  /** The stage (node, output) holding the work: the failure record's `node`. */
  readonly node: string;
  /** What it is doing, for the error message: `in node "geocode" for 30.0 s`, `waiting on output "rows" for 0.4 s`. */
  readonly where: string;
}

/**
 * A stage that holds items' work for a while (an async node's calls and its queue, an output's
 * unconfirmed writes, a reorder buffer): asked where an item is stuck, only when the item times
 * out, so that holding costs nothing per item.
 *
 * @example
 * ```ts
 * declare const unconfirmed: Set<unknown>; // the roots with a write not yet confirmed
 * const holder: Holder = {
 *   where: (root) => (unconfirmed.has(root) ? { node: 'rows', where: 'waiting on output "rows"' } : undefined),
 * };
 * ```
 */
export interface Holder {
  /** What this stage holds of `root` at `now` (epoch ms, the run's coarse clock), or undefined. */
  where(root: Anchor, now: number): Blame | undefined;
}

/**
 * What every holder says of `root`, as one blame: the stage's name when one stage holds it (else
 * `consecutor`), and every place joined. Undefined when no stage knows of it.
 */
export function blameOf(holders: readonly Holder[], root: Anchor, now: number): Blame | undefined {
  const found: Blame[] = [];
  for (const h of holders) {
    const b = h.where(root, now);
    if (b !== undefined) found.push(b);
  }
  if (found.length === 0) return undefined;
  const nodes = new Set(found.map((b) => b.node));
  return { node: nodes.size === 1 ? found[0]!.node : 'consecutor', where: found.map((b) => b.where).join('; ') };
}

/** A duration for a message: `0.4 s`, `30.0 s`. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}
