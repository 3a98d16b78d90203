import type { Database, DatabaseOptions, RootDatabase } from 'lmdb';
import { ConsecutionError, messageOf } from '../errors.js';

// What a store's LMDB file holds: one named database (lmdb-js `openDB`) per kind of record, and
// the layout's version in the meta database. The root database holds nothing but their names.

/** The layout this version reads and writes. */
export const LAYOUT = 2;

/** What the meta database's `format` says, beside the layout version. */
const FORMAT = 'consecution-store';

/** Values keep JavaScript's structured-clone types (Map, Set, Date, cycles) across a restart. */
export const ENCODER = { structuredClone: true } as const;

/** The named databases of a store; with the meta database, within LMDB's default of 12. */
export const MAX_DBS = 8;

/**
 * The databases of a store, each keyed by what it holds. Writes that must land together (an
 * item's dead letter and its journal remove, a checkpoint and the removes before it) go in one
 * `root.batch()`: one transaction across the databases.
 */
export interface StoreDbs {
  /** The environment: closing it closes the others; its `batch()` and `flushed` span them all. */
  readonly root: RootDatabase;
  /** Pending items by lineage id: `[value, position, rawOf?, key?]` (see reads.ts, Journaled). */
  readonly journal: Database<unknown, number>;
  /** Dead letters by lineage id. */
  readonly dead: Database<unknown, number>;
  /** Failure records by sequence number (the last `keepFailures`). */
  readonly failures: Database<unknown, number>;
  /** Stateful nodes' checkpoints by node name. */
  readonly checkpoints: Database<unknown, string>;
  /** `layout`, `format`, `position` (the source's, last journaled), `next` (the next lineage id), `flushed`. */
  readonly meta: Database<unknown, string>;
}

const NAMES = ['journal', 'dead', 'failures', 'checkpoints', 'meta'] as const;

/**
 * Layout 1 (consecution 0.1.0 before issue 11): every record in the root database under an array
 * key whose first element is a one-letter kind, and `['m', 'format']` = 'consecution-store/1'; a
 * journal entry was an object `{ v: value, p: position, r?: rawOf }`.
 * Known here to be refused by name, and converted by `consecution migrate`.
 */
export const V1 = {
  format: 'consecution-store/1',
  formatKey: ['m', 'format'],
  /** Kind letter → the database of layout 2 that holds that kind. */
  kinds: { j: 'journal', d: 'dead', f: 'failures', c: 'checkpoints', m: 'meta' },
} as const;

/** A STORE_FAILED error that names the store and says why. */
export function fail(dir: string, why: string, cause?: unknown): ConsecutionError {
  return new ConsecutionError('STORE_FAILED', `cannot open store ${dir}: ${why}`, cause === undefined ? {} : { cause });
}

/**
 * The databases of the store in `root`, after checking its layout: created in an empty file
 * (unless read-only), refused with STORE_FAILED in any layout but {@link LAYOUT}. Nothing is
 * written before the check: a store in another layout is never rewritten.
 */
export function openLayout(root: RootDatabase, dir: string, readOnly: boolean): StoreDbs {
  const found = layoutOf(root, dir);
  if (found === undefined) {
    if (readOnly) throw fail(dir, 'data.mdb is an empty LMDB file: no store was written to it');
    return createDbs(root);
  }
  if (found !== LAYOUT) throw layoutMismatch(dir, found);
  const dbs: Record<string, Database | undefined> = {};
  const openAll = () => {
    for (const name of NAMES) dbs[name] = openNamed(root, dir, name, !readOnly);
  };
  // A writer opens them in one write transaction, not one each.
  if (readOnly) openAll();
  else root.transactionSync(openAll);
  const missing = NAMES.filter((n) => dbs[n] === undefined);
  if (missing.length > 0) throw fail(dir, `it is in store layout ${LAYOUT} but has no ${missing.join(', ')} database`);
  return { root, ...dbs } as unknown as StoreDbs;
}

/**
 * The layout version of the store in `root`: 1 for the key-prefixed layout, the meta database's
 * `layout` otherwise, undefined for an empty file. Throws STORE_FAILED on an LMDB file that holds
 * something else.
 */
export function layoutOf(root: RootDatabase, dir: string): number | undefined {
  let v1: unknown;
  try {
    v1 = root.get([...V1.formatKey]);
  } catch (e) {
    throw notAStore(dir, messageOf(e), e);
  }
  if (v1 === V1.format) return 1;
  const meta = openNamed(root, dir, 'meta', false);
  if (meta === undefined) {
    if (v1 !== undefined || root.getCount() > 0) throw notAStore(dir, `format ${JSON.stringify(v1 ?? null)}`);
    return undefined;
  }
  const format: unknown = meta.get('format');
  if (format !== FORMAT) throw notAStore(dir, `format ${JSON.stringify(format ?? null)}`);
  const layout: unknown = meta.get('layout');
  return typeof layout === 'number' ? layout : NaN;
}

/** Creates the databases of an empty store and stamps its layout, in one transaction. */
export function createDbs(root: RootDatabase): StoreDbs {
  return root.transactionSync(() => {
    const dbs: Record<string, Database> = {};
    for (const name of NAMES) dbs[name] = root.openDB({ name, encoder: ENCODER } as DatabaseOptions & { name: string });
    const meta = dbs.meta!;
    meta.putSync('format', FORMAT);
    meta.putSync('layout', LAYOUT);
    return { root, ...dbs } as unknown as StoreDbs;
  });
}

/** The error for a store in a layout this version does not read: found, expected, and what to do. */
export function layoutMismatch(dir: string, found: number): ConsecutionError {
  const expected = `this version of consecution reads layout ${LAYOUT} (one LMDB database per kind)`;
  if (found === 1) {
    return fail(
      dir,
      `it is in store layout 1 (key prefixes, consecution 0.1.0 before issue 11), and ${expected}: ` +
        `run \`consecution migrate ${dir}\` to convert it in place, or finish its job with the version that wrote it`,
    );
  }
  const why = Number.isInteger(found) && found > LAYOUT ? 'a newer consecution wrote it: open it with that version' : 'that layout is unknown';
  return fail(dir, `it is in store layout ${Number.isNaN(found) ? '(none recorded)' : found}, and ${expected}: ${why}`);
}

function notAStore(dir: string, detail: string, cause?: unknown): ConsecutionError {
  return fail(dir, `it holds data that is not a consecution store (${detail})`, cause);
}

/** A named database, or undefined when it does not exist and `create` is false. */
function openNamed(root: RootDatabase, dir: string, name: string, create: boolean): Database | undefined {
  try {
    return root.openDB({ name, create, encoder: ENCODER } as DatabaseOptions & { name: string }) as Database | undefined;
  } catch (e) {
    // A root key of that name that is not a database (MDB_INCOMPATIBLE): some other program's file.
    throw notAStore(dir, messageOf(e), e);
  }
}
