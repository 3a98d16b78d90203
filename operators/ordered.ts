import { ConsecutionError, operate, Root, type Envelope, type Node } from '../src/core.js';

/** Options of {@link ordered}. */
export interface OrderedOptions {
  /** The node's name in metrics and errors. @default `ordered#n` */
  readonly name?: string;
}

/**
 * Restores input order after a parallel stage (an offloaded node, a node with concurrency > 1):
 * items leave in the order they entered the run. An item is released once every older item has
 * been released here or has settled (completed, or dead-lettered, or dropped on its way), so an
 * item filtered out upstream holds nothing back. The reorder buffer holds items still in flight,
 * so it counts toward `maxPending`: it is bounded, and it cannot deadlock (the item it waits for
 * is already admitted). The order is that of each item's first arrival: when an item reaches it
 * several times (after a broadcast), its later copies, and replayed items, leave as soon as they
 * arrive (how many copies will come is not known). Time an item spends held here does not count
 * toward its timeoutMs: only the item it waits for can time out. Needs a tracked guarantee.
 *
 * @example
 * ```ts
 * const p = pipe(offload(new URL('./enrich.js', import.meta.url), { parallelism: 4 }), ordered(), output('rows'));
 * ```
 */
export function ordered<T>(options: OrderedOptions = {}): Node<T, T> {
  return operate<T, T>('ordered', options.name, (h, stats) => {
    const view = h.order();
    if (view === undefined) {
      throw new ConsecutionError('OPTIONS_INVALID', `ordered "${stats.name}" needs a tracked guarantee: under 'none' input order is not known`, {
        node: stats.name,
      });
    }
    return (out) => {
      // Held items by root id; the ids of roots released here that may still be pending.
      const held = new Map<number, Envelope<T>[]>();
      const released = new Set<number>();
      let cursor = 0;
      let completed = false;
      // Releasing an item acks it downstream, which can settle its root, which calls drain() again
      // from within out.next: that inner call only asks the running loop to go round once
      // more, so the stack stays flat however many items are held.
      let draining = false;
      let again = false;
      const release = (id: number, list: Envelope<T>[]) => {
        held.delete(id);
        released.add(id);
        for (const env of list) {
          env.anchor.unpark(env.attempt);
          stats.emitted++;
          out.next(env);
        }
      };
      // Each step moves the cursor or releases a root, so all calls together are O(items).
      const releaseInOrder = () => {
        for (;;) {
          if (cursor >= view.nextId()) return;
          const next = held.get(cursor);
          if (next !== undefined) release(cursor, next);
          else if (!view.pending(cursor) || released.has(cursor)) released.delete(cursor++);
          else return;
        }
      };
      // Whatever is still held at the end can only wait for roots that will never come: let it go in order.
      const releaseRest = () => {
        for (const id of [...held.keys()].sort((a, b) => a - b)) {
          const list = held.get(id);
          if (list !== undefined) release(id, list);
        }
      };
      const drain = () => {
        if (draining) {
          again = true;
          return;
        }
        draining = true;
        try {
          do {
            again = false;
            releaseInOrder();
          } while (again);
          if (completed) {
            releaseRest();
            out.complete();
          }
        } finally {
          draining = false;
        }
      };
      view.onSettle(() => {
        if (held.size > 0) drain();
      });
      h.addHolder({
        where: (root) =>
          root instanceof Root && held.has(root.id)
            ? { node: stats.name, where: `held in ordered "${stats.name}" until item #${cursor} is done` }
            : undefined,
      });
      return {
        next(env) {
          stats.received++;
          const root = env.anchor;
          // Items of no single root (batches, state), and replays of items already released, go at once.
          if (!(root instanceof Root) || root.id < cursor || released.has(root.id)) {
            stats.emitted++;
            out.next(env);
            return;
          }
          // Waiting here for older items is not its fault: its clock stops until it is released.
          root.park(env.attempt);
          const list = held.get(root.id);
          if (list === undefined) held.set(root.id, [env]);
          else list.push(env);
          drain();
        },
        complete() {
          completed = true;
          drain();
        },
      };
    };
  });
}
