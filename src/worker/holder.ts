import { seconds, type Blame } from '../acker/blame.js';
import type { Anchor } from '../envelope/envelope.js';
import type { Batch } from './batch.js';
import type { Fifo } from './fifo.js';
import type { Slot } from './slot.js';

/**
 * Where a pool holds `root` (see Holder.where, asked only when it times out for ACK_TIMEOUT): on a
 * worker that has started on its batch, or waiting for one (in the open batch, a queue, or a batch
 * a worker holds but has not started on); undefined when the pool does not hold it.
 *
 * @example
 * ```ts
 * import type { Anchor } from '../envelope/envelope.js';
 * import type { Batch } from './batch.js';
 * import type { Fifo } from './fifo.js';
 * import { whereHeld } from './holder.js';
 * import type { Slot } from './slot.js';
 * declare const root: Anchor;
 * declare const slots: Slot[];
 * declare const open: Batch;
 * declare const ready: Fifo<Batch>;
 * declare const suspects: Fifo<Batch>;
 * whereHeld(root, Date.now(), 'parse', 'worker thread', slots, open, [ready, suspects]);
 * // { node: 'parse', where: 'in node "parse" on a worker thread for 31.2 s' }
 * ```
 */
export function whereHeld(
  root: Anchor,
  now: number,
  node: string,
  kind: string,
  slots: readonly Slot[],
  open: Batch,
  queues: readonly Fifo<Batch>[],
): Blame | undefined {
  const has = (b: Batch) => holds(b, root);
  for (const slot of slots) {
    const head = slot.inflight.peek();
    if (head !== undefined && head.startedAt > 0 && has(head)) {
      return { node, where: `in node "${node}" on a ${kind} for ${seconds(now - head.startedAt)}` };
    }
  }
  if (!has(open) && !queues.some((q) => q.some(has)) && !slots.some((s) => s.inflight.some(has))) return undefined;
  return { node, where: `waiting for a ${kind} in node "${node}"` };
}

/** Whether `batch` has an item of `root`. */
function holds(batch: Batch, root: Anchor): boolean {
  for (let i = 0; i < batch.size; i++) if (batch.envs[i]!.anchor.belongsTo(root)) return true;
  return false;
}
