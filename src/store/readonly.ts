import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreDbs } from './layout.js';
import { lockOwner } from './lock.js';
import { openDb, requireDirArg, requireStore } from './lmdb-file.js';
import { LmdbReads } from './reads.js';
import type { StoreView } from './store.js';

/**
 * A store opened read-only: its reads, and who holds it. It takes no lock and writes nothing, so
 * it may look at a store while a run has it open (LMDB readers need no writer's lock); the
 * numbers are then a snapshot of a store that is changing.
 */
export class ReadOnlyStore extends LmdbReads implements StoreView {
  /** The pid of the live process that holds the store (a run), or undefined when none does. */
  readonly heldBy: number | undefined;
  /** The temporary directory of a copy read instead of the store (see openView), if any. */
  private readonly copy: string | undefined;
  private closed = false;

  constructor(dir: string) {
    requireStore(dir);
    const { dbs, copy } = openView(dir);
    super(dir, dbs);
    this.copy = copy;
    this.heldBy = lockOwner(dir);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dbs.root.close();
    if (this.copy !== undefined) rmSync(this.copy, { recursive: true, force: true });
  }
}

/**
 * Opens a store's data file read-only. LMDB readers register in its lock file (`data.mdb-lock`,
 * made by the first run and left in place), and create it when it is missing: then nothing has
 * the store open, and the look goes to a copy in a temporary directory, so that the store
 * directory stays exactly as it was.
 */
function openView(dir: string): { dbs: StoreDbs; copy: string | undefined } {
  const data = join(dir, 'data.mdb');
  if (existsSync(`${data}-lock`)) return { dbs: openDb(dir, { readOnly: true }), copy: undefined };
  const copy = mkdtempSync(join(tmpdir(), 'consecution-inspect-'));
  try {
    copyFileSync(data, join(copy, 'data.mdb'));
    return { dbs: openDb(dir, { readOnly: true, path: join(copy, 'data.mdb') }), copy };
  } catch (e) {
    rmSync(copy, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Opens the store at `dir` read-only, to look at it: pending items, dead letters, failure
 * records, counts. Unlike {@link openStore} it creates nothing (a missing store is an error),
 * takes no lock and works while a run holds the store (`heldBy` names that run's process).
 *
 * @example
 * ```ts
 * const store = openStoreReadOnly('./state');
 * if (store.heldBy !== undefined) console.log(`live: process ${store.heldBy} is running on it`);
 * console.log(store.stats()); // { pending: 3, deadLetters: 1, ... }
 * await store.close();
 * ```
 */
export function openStoreReadOnly(dir: string): ReadOnlyStore {
  requireDirArg('openStoreReadOnly', dir);
  return new ReadOnlyStore(dir);
}
