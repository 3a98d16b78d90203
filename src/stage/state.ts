import { Root } from '../acker/root.js';
import type { Envelope } from '../envelope/envelope.js';
import type { Checkpoint, FoldedCopy, Journal } from '../store/store.js';

/**
 * The state of one stateful node (reduce, scan) in one run, made exact across replays and
 * restarts:
 * - it knows, per item, the copies it folded, by edge: an edge names the copy's path and is the
 *   same in every attempt (see split.ts). A copy of a later attempt already folded is skipped (a
 *   scan emits again what it emitted for it); copies of one attempt (after a broadcast, or a node
 *   that pushes twice) all fold;
 * - with a durable store, the state is checkpointed with the copies folded of the pending items,
 *   and a folded input is released (acked, or passed on) only once that checkpoint is on disk.
 *   Checkpoints are grouped: one per turn of the event loop, whatever the number of items.
 * - a copy of an attempt that has failed is not folded at all (see {@link stale}).
 * Folds are logged in flat arrays (no allocation per item) and written onto a root only when it is
 * replayed; entries of settled roots are dropped as the log grows. Batches (anchored to a group,
 * not a root) are folded but not logged.
 */
export class StateCell {
  readonly node: string;
  /** The restored state, if the store had a checkpoint. */
  readonly restored: { readonly state: unknown } | undefined;
  private readonly index: number;
  private readonly store: Journal;
  private readonly snapshot: () => unknown;
  private readonly release: (env: Envelope<unknown>) => void;
  private readonly onError: (e: unknown) => void;
  // The fold log: one entry per folded copy of a root, in parallel arrays, entries [0, n). The
  // arrays never shrink: slots past n are reused, so logging allocates nothing once they have grown.
  private readonly roots: (Root | undefined)[] = [];
  private readonly his: number[] = [];
  private readonly los: number[] = [];
  private readonly values: unknown[] = [];
  private n = 0;
  private held: Envelope<unknown>[] = [];
  private scheduled = false;
  /** Log length at which the next compaction runs: twice what survived the last, so compaction stays O(1) per fold. */
  private compactAt = 4096;
  /** What {@link seen} found. */
  private last: unknown;

  constructor(options: {
    node: string;
    index: number;
    store: Journal;
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

  /**
   * True when this copy belongs to an attempt that has failed (or an item that has settled): a
   * copy that was still on its way through a slow branch when another branch failed the item.
   * Drop it: the replay brings the item again, and folding both would count it twice.
   */
  stale(env: Envelope<unknown>): boolean {
    return !env.anchor.live(env.attempt);
  }

  /** True when this copy was folded before (a replay): skip the fold; {@link emitted} gives what it emitted. */
  seen(env: Envelope<unknown>): boolean {
    const root = env.anchor;
    if (!(root instanceof Root) || root.folds === undefined) return false;
    const f = root.folds[this.index];
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

  /** A root is about to be replayed: write what was folded of it onto it, for {@link seen}. */
  replaying(root: Root): void {
    for (let i = 0; i < this.n; i++) {
      if (this.roots[i] === root) record(root, this.index, this.his[i]!, this.los[i]!, this.values[i]);
    }
  }

  /** Takes back what a checkpoint says was folded of a restored item (from the journal). */
  adopt(root: Root, copies: readonly FoldedCopy[]): void {
    for (const [hi, lo, value] of copies) {
      record(root, this.index, hi, lo, value);
      this.log(root, hi, lo, value);
    }
  }

  /** The envelope's value is folded into the state: log it, and release it once that is durable. */
  folded(env: Envelope<unknown>): void {
    const root = env.anchor;
    if (!(root instanceof Root)) {
      this.hold(env);
      return;
    }
    if (this.n >= this.compactAt && !this.scheduled) this.compact();
    const at = this.n;
    this.log(root, env.hi, env.lo, env.value);
    if (this.store.durable) {
      this.hold(env);
      return;
    }
    this.release(env);
    // The common case of a synchronous tail: the release completed the root, which can never be
    // replayed now, so its entry is taken back (logged first all the same: a release that fails
    // the root downstream replays it at once, and the replay must find what was folded).
    if (root.current < 0 && this.n === at + 1) {
      this.n = at;
      this.roots[at] = undefined;
      this.values[at] = undefined;
    }
  }

  /**
   * Like {@link folded}, for a node whose release only acks (reduce: the envelope ends there).
   * Without a durable store the ack comes first, and the copy is logged only if its item is still
   * pending then: an ack cannot fail the item, so nothing replays it in between, and the common
   * synchronous item (completed by this ack) writes nothing to the log.
   */
  absorbed(env: Envelope<unknown>): void {
    const root = env.anchor;
    if (this.store.durable || !(root instanceof Root)) {
      this.folded(env);
      return;
    }
    const { hi, lo, value } = env;
    this.release(env);
    if (root.current < 0) return;
    if (this.n >= this.compactAt && !this.scheduled) this.compact();
    this.log(root, hi, lo, value);
  }

  /** Releases a folded envelope now, or with a durable store once the next checkpoint is on disk. */
  private hold(env: Envelope<unknown>): void {
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

  private log(root: Root, hi: number, lo: number, value: unknown): void {
    const i = this.n++;
    this.roots[i] = root;
    this.his[i] = hi;
    this.los[i] = lo;
    this.values[i] = value;
  }

  /** Drops the entries of settled roots (they can never be replayed). */
  private compact(): void {
    let n = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.roots[i]!.current < 0) continue;
      this.roots[n] = this.roots[i];
      this.his[n] = this.his[i]!;
      this.los[n] = this.los[i]!;
      this.values[n] = this.values[i];
      n++;
    }
    // Settled roots and their values are not kept alive by the slots past the end.
    this.roots.fill(undefined, n, this.n);
    this.values.fill(undefined, n, this.n);
    this.n = n;
    this.compactAt = Math.max(4096, 2 * n);
  }

  private commit(): void {
    this.scheduled = false;
    this.compact();
    const held = this.held;
    this.held = [];
    const byRoot = new Map<number, FoldedCopy[]>();
    for (let i = 0; i < this.n; i++) {
      const id = this.roots[i]!.id;
      let copies = byRoot.get(id);
      if (copies === undefined) byRoot.set(id, (copies = []));
      copies.push([this.his[i]!, this.los[i]!, this.values[i]]);
    }
    this.store.checkpoint(this.node, { state: this.snapshot(), folded: [...byRoot] }).then(
      () => {
        for (const env of held) this.release(env);
      },
      (e: unknown) => this.onError(e),
    );
  }
}

/** Writes one folded copy onto a root (once per edge). */
function record(root: Root, index: number, hi: number, lo: number, value: unknown): void {
  const folds = (root.folds ??= []);
  const f = folds[index];
  if (f === undefined) folds[index] = { hi, lo, value, more: undefined };
  else if (f.hi !== hi || f.lo !== lo) (f.more ??= new Map()).set(`${hi}:${lo}`, value);
}
