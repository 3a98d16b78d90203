import type { Root } from '../acker/root.js';
import type { Acker } from '../acker/acker.js';
import type { Envelope } from '../envelope/envelope.js';
import { restoredInput } from '../sources/parse.js';
import type { Source } from '../sources/source.js';
import { StateCell } from '../stage/state.js';
import type { FoldedCopy, Journal } from '../store/store.js';

/**
 * The state cells of a run's stateful nodes (see StageContext.state), and what a killed run left in the
 * journal: restored, its items go back in first, each with what the nodes had folded of it.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '../store/memory.js';
 * import { StateCells } from './cells.js';
 * let total = 0;
 * const cells = new StateCells(new MemoryStore(), (e) => console.error(e));
 * const cell = cells.add('count', () => total, (env) => env.anchor.ackEdge(env.hi, env.lo, env.attempt));
 * ```
 */
export class StateCells {
  private readonly cells: StateCell[] = [];
  /** Restored lineage id → what each stateful node (by index) had folded of it before a restart. */
  private readonly restoredFolds = new Map<number, [number, readonly FoldedCopy[]][]>();
  private readonly store: Journal;
  private readonly onError: (e: unknown) => void;

  constructor(store: Journal, onError: (e: unknown) => void) {
    this.store = store;
    this.onError = onError;
  }

  /** The cell of stateful node `node`, restored from its checkpoint in the store if any. */
  add(node: string, snapshot: () => unknown, release: (env: Envelope<unknown>) => void): StateCell {
    const index = this.cells.length;
    const checkpoint = this.store.restore(node);
    for (const [id, copies] of checkpoint?.folded ?? []) {
      let folds = this.restoredFolds.get(id);
      if (folds === undefined) this.restoredFolds.set(id, (folds = []));
      folds.push([index, copies]);
    }
    const cell = new StateCell({
      node,
      index,
      store: this.store,
      restored: checkpoint,
      snapshot,
      release,
      onError: this.onError,
    });
    this.cells.push(cell);
    return cell;
  }

  /** `root` is sent in again: each cell forgets what it folded of its last attempt. */
  replaying(root: Root): void {
    for (const cell of this.cells) cell.replaying(root);
  }

  /** Pushes the items a killed run left in the journal onto `replays`, to go back in first. */
  restoreJournal(source: Source<unknown>, acker: Acker, replays: Root[]): void {
    if (!this.store.durable) return;
    for (const entry of this.store.pending()) {
      // Redriven bad input goes through the source's parsing again; what still fails, fails again.
      const input = restoredInput(source, entry);
      const root = acker.restore(entry.id, 'value' in input ? input.value : entry.value, entry.position, entry.key);
      if ('error' in input) {
        root.failAnchor({ node: source.name, value: entry.value, error: input.error }, 0);
        continue;
      }
      for (const [index, copies] of this.restoredFolds.get(entry.id) ?? []) this.cells[index]!.adopt(root, copies);
      replays.push(root);
    }
  }
}
