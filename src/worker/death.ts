import type { Anchor } from '../envelope/envelope.js';
import { ConsecutionError } from '../errors.js';
import { failAt } from '../stage/fail.js';
import type { NodeStats } from '../stage/stats.js';
import type { Slot } from './slot.js';

/**
 * What a worker's death costs (see Pool.died, and Restarts for what follows): the items it held
 * fail with WORKER_CRASHED, and it counts in the node's crashes. Leaves the slot down, holding
 * nothing.
 *
 * @example
 * ```ts
 * import type { NodeStats } from '../stage/stats.js';
 * import { failHeld } from './death.js';
 * import type { Slot } from './slot.js';
 * declare const stats: NodeStats;
 * declare const slot: Slot;
 * failHeld(stats, slot, 'exit code 1');
 * // every item slot held fails: node "parse": exit code 1; 3 item(s) it held failed
 * ```
 */
export function failHeld(stats: NodeStats, slot: Slot, why: string): void {
  slot.channel = undefined;
  slot.running = undefined;
  const lost = slot.inflight.drain().flatMap((b) => b.envs.slice(0, b.size));
  const error = new ConsecutionError('WORKER_CRASHED', `node "${stats.name}": ${why}; ${lost.length} item(s) it held failed`, {
    node: stats.name,
  });
  for (const env of lost) {
    stats.inFlight--;
    failAt(stats, env, env.value, error);
  }
  stats.crashes = (stats.crashes ?? 0) + 1;
}

/**
 * A worker died in end() (or before it had even loaded, once told to end): what end() would have
 * pushed is lost, and the run must say so, on `untracked` (the anchor of values from no item).
 *
 * @example
 * ```ts
 * import type { Anchor } from '../envelope/envelope.js';
 * import { failEnd } from './death.js';
 * declare const untracked: Anchor; // the run's anchor of values from no item
 * failEnd('parse', untracked, true, 'exit code 1'); // fails on untracked: what end() would have pushed is lost
 * ```
 */
export function failEnd(node: string, untracked: Anchor, ready: boolean, why: string): void {
  const when = ready ? ' while it ran end()' : '';
  const error = new ConsecutionError('WORKER_CRASHED', `node "${node}": ${why}${when}`, { node });
  untracked.failAnchor({ node, value: undefined, error }, 0);
}
