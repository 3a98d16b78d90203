import { Root } from '../acker/root.js';
import type { Envelope } from '../envelope/envelope.js';
import type { Checkpoint, FoldedCopy, Store } from '../store/store.js';

/**
 * The state of one stateful node (reduce, scan) in one run, made exact across replays and
 * restarts:
 * - it records, per item, the copies it folded, by edge: an edge names the copy's path and is the
 *   same in every attempt (see split.ts). A copy of a later attempt already folded is skipped (a
 *   scan emits again what it emitted for it); copies of one attempt (after a broadcast, or a node
 *   that pushes twice) all fold;
 * - with a durable store, the state is checkpointed with the copies folded of the pending items,
 *   and a folded input is released (acked, or passed on) only once that checkpoint is on disk.
 *   Checkpoints are grouped: one per turn of the event loop, whatever the number of items.
 * Envelopes of batches (anchored to a group, not a root) are folded but not recorded.
 */
export class StateCell {
  readonly node: string;
  /** The restored state, if the store had a checkpoint. */
  readonly restored: { readonly state: unknown } | undefined;
  private readonly index: number;
  private readonly store: Store;
  private readonly snapshot: () => unknown;
  private readonly release: (env: Envelope<unknown>) => void;
  private readonly onError: (e: unknown) => void;
  /** Roots folded here and maybe still pending (durable store only): the checkpoint keeps the live ones. */
  private live: Root[] = [];
  private held: Envelope<unknown>[] = [];
  private scheduled = false;
  /** What {@link seen} found. */
  private last: unknown;

  constructor(options: {
    node: string;
    index: number;
    store: Store;
    restored: Checkpoint | undefined;
    snapshot: () => unknown;
    release: (env: Envelope<unknown>) => void;
    onError: (e: unknown) => void;
  }) {
    this.node = options.node;
    this.index = options.index;
    this.store = options.store;
    this.restored = options.restored === undefined ? undefined : { state: options.restored.state };
    this.snapshot = options.snapshot;
    this.release = options.release;
    this.onError = options.onError;
  }

  /** True when this copy was folded before (a replay): skip the fold; {@link emitted} gives what it emitted. */
  seen(env: Envelope<unknown>): boolean {
    const root = env.anchor;
    if (!(root instanceof Root)) return false;
    const f = root.folds?.[this.index];
    if (f === undefined) return false;
    if (f.hi === env.hi && f.lo === env.lo) {
      this.last = f.value;
      return true;
    }
    const key = `${env.hi}:${env.lo}`;
    if (f.more === undefined || !f.more.has(key)) return false;
    this.last = f.more.get(key);
    return true;
  }

  /** What the copy just {@link seen} emitted when it was folded. */
  emitted(): unknown {
    return this.last;
  }

  /** Takes back what a checkpoint says was folded of a restored item (from the journal). */
  adopt(root: Root, copies: readonly FoldedCopy[]): void {
    for (const [hi, lo, value] of copies) this.record(root, hi, lo, value);
    this.live.push(root);
  }

  /** The envelope's value is folded into the state: record it, and release it once that is durable. */
  folded(env: Envelope<unknown>): void {
    const root = env.anchor;
    if (root instanceof Root && this.record(root, env.hi, env.lo, env.value) && this.store.durable) this.live.push(root);
    if (!this.store.durable) {
      this.release(env);
      return;
    }
    this.held.push(env);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
  }

  /** Records a folded copy; true if it is the item's first here. */
  private record(root: Root, hi: number, lo: number, value: unknown): boolean {
    const folds = (root.folds ??= []);
    const f = folds[this.index];
    if (f === undefined) {
      folds[this.index] = { hi, lo, value, more: undefined };
      return true;
    }
    (f.more ??= new Map()).set(`${hi}:${lo}`, value);
    return false;
  }

  private commit(): void {
    this.scheduled = false;
    this.live = this.live.filter((r) => r.attempt >= 0);
    const held = this.held;
    this.held = [];
    const folded = this.live.map((r): [number, FoldedCopy[]] => {
      const f = r.folds![this.index]!;
      const copies: FoldedCopy[] = [[f.hi, f.lo, f.value]];
      for (const [key, value] of f.more ?? []) {
        const [hi, lo] = key.split(':').map(Number) as [number, number];
        copies.push([hi, lo, value]);
      }
      return [r.id, copies];
    });
    this.store.checkpoint(this.node, { state: this.snapshot(), folded }).then(
      () => {
        for (const env of held) this.release(env);
      },
      (e: unknown) => this.onError(e),
    );
  }
}
