import type { Key, RootDatabase } from 'lmdb';
import { createDbs, LAYOUT, layoutMismatch, layoutOf, fail, V1 } from './layout.js';
import { toJournaled } from './reads.js';
import { lockStore } from './lock.js';
import { openRoot, requireStore } from './lmdb-file.js';

/** What {@link migrateStore} did. */
export interface Migration {
  /** The layout the store was in. */
  readonly from: number;
  /** The layout it is in now ({@link LAYOUT}). */
  readonly to: number;
  /** Records moved (journal entries, dead letters, failure records, checkpoints, meta). */
  readonly moved: number;
}

/**
 * Converts a store of layout 1 (every record in LMDB's root database under a one-letter key
 * prefix) to the current layout, in place and in one transaction: a crash leaves it in layout 1
 * or 2, never between. A store already in the current layout is left as it is. Takes the store's
 * lock, so it refuses a store a run holds (STORE_LOCKED).
 *
 * @example
 * ```ts
 * await migrateStore('./state'); // { from: 1, to: 2, moved: 12 }
 * ```
 */
export async function migrateStore(dir: string): Promise<Migration> {
  requireStore(dir);
  const unlock = lockStore(dir);
  try {
    const root = openRoot(dir, { readOnly: false });
    try {
      const from = layoutOf(root, dir);
      if (from === undefined) throw fail(dir, 'data.mdb is an empty LMDB file: no store was written to it');
      if (from === LAYOUT) return { from, to: LAYOUT, moved: 0 };
      if (from !== 1) throw layoutMismatch(dir, from);
      const moved = root.transactionSync(() => moveV1(root));
      await root.flushed;
      return { from, to: LAYOUT, moved };
    } finally {
      await root.close();
    }
  } finally {
    unlock();
  }
}

/**
 * Moves every layout-1 record to its database, within the caller's transaction. They are read
 * before the databases are made: a database's name is a root key too, within a kind's range
 * ('checkpoints' sorts inside ['c', ...]).
 */
function moveV1(root: RootDatabase): number {
  const old: { kind: string; key: Key[]; value: unknown }[] = [];
  for (const kind of Object.keys(V1.kinds)) {
    const end = String.fromCharCode(kind.charCodeAt(0) + 1);
    for (const { key, value } of root.getRange({ start: [kind], end: [end] })) old.push({ kind, key: key as Key[], value });
  }
  const dbs = createDbs(root);
  let moved = 0;
  for (const { kind, key, value } of old) {
    root.removeSync(key);
    const id = key[1]!;
    if (kind === 'm' && id === 'format') continue; // the new meta has its own
    const db = dbs[V1.kinds[kind as keyof typeof V1.kinds]] as { putSync(k: Key, v: unknown): void };
    db.putSync(id, kind === 'j' ? journaledOfV1(id as number, value) : value);
    moved++;
  }
  return moved;
}

/** A layout-1 journal entry, `{ v, p, r? }`, in the current form. */
function journaledOfV1(id: number, value: unknown): unknown {
  const { v, p, r } = value as { v: unknown; p: unknown; r?: string };
  return toJournaled(r === undefined ? { id, value: v, position: p } : { id, value: v, position: p, rawOf: r });
}
