import { BatchAnchor } from '../acker/batch-anchor.js';
import type { FailureRecord } from '../acker/failure.js';
import { Root } from '../acker/root.js';
import type { Anchor } from '../envelope/envelope.js';
import { fmix } from '../envelope/split.js';
import { newScope } from '../store/scope.js';

/**
 * What an output target's `append(value, meta)` learns about the value: which copy of which input
 * item it is. Treat `key` as opaque: it is equal for the same copy, whatever else changes.
 *
 * - `key`: the copy's **idempotency key**. For a value that descends from one input item it is made
 *   of the item's store scope and lineage id (or of its key from the source, SourceReader.key, when
 *   the source gave one: a broker message's, the same in every process that handles it) and the
 *   copy's edge, which names its path through the graph (which branch of a broadcast, which child
 *   of a flatMap, which `ctx.write` of a node): the same in every attempt of the item (a replay)
 *   and after a restart on a durable store, which keeps lineage ids and its scope.
 *   Two copies of one item (the branches of a broadcast) have different keys. A node's local retry
 *   (its own `retries`) makes new copies: what a failed try had already written keeps its own key.
 *   A chunk's batch (and what a flatten makes of it) has a key made of its items' keys, in order:
 *   the same when the same copies make up the batch again, which a replay does not promise. A
 *   dead letter's key is `<scope><root>:dead`. The scope (Store.scope) keeps the keys of two
 *   stores (two machines; runs without a store, each its own) apart in one sink. Values that
 *   descend from no tracked item (everything under `guarantee: 'none'`, what a reduce or a node's
 *   `end()` emits) get a key unique to the process (`u<process scope><n>`), **not** stable across
 *   runs.
 * - `root`: the input item's lineage id; -1 for a batch (it descends from several) and for
 *   untracked values.
 * - `attempt`: the item's attempt, 0 the first time, n for its n-th replay (a batch: the highest of
 *   its items'; untracked values: 0).
 *
 * @example
 * ```ts
 * interface Row { id: number }
 * declare const db: { query(sql: string, params: unknown[]): Promise<unknown> };
 * const rows = {
 *   async append(row: Row, meta: WriteMeta) {
 *     await db.query('INSERT INTO rows (key, body) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [meta.key, row]);
 *   },
 * };
 * ```
 */
export interface WriteMeta {
  readonly key: string;
  readonly root: number;
  readonly attempt: number;
}

let untracked = 0;
/** Keeps the untracked keys of two processes apart. */
const processScope = newScope();

/**
 * The meta of a copy on `anchor` with edge (hi, lo) in `attempt` (see {@link WriteMeta}).
 *
 * @example
 * ```ts
 * declare const env: Envelope<unknown>;
 * metaOf(env.anchor, env.hi, env.lo, env.attempt); // { key: 'q3Zr-k9A.42:0000000000000001', root: 42, attempt: 0 }
 * ```
 */
export function metaOf(anchor: Anchor, hi: number, lo: number, attempt: number): WriteMeta {
  if (anchor instanceof Root) {
    const key = anchor.key === undefined ? `${anchor.owner.scope}${anchor.id}:${hex(hi, lo)}` : `${anchor.key}:${hex(hi, lo)}`;
    return { key, root: anchor.id, attempt };
  }
  if (anchor instanceof BatchAnchor) {
    hashHi = 0x2545f491;
    hashLo = 0x6a09e667;
    absorb(anchor, hi, lo);
    return { key: `b${hex(hashHi, hashLo)}:${hex(hi, lo)}`, root: -1, attempt: highestAttempt(anchor) };
  }
  return untrackedMeta();
}

/** The meta of a value that descends from no tracked item: a key unique within the process. */
export function untrackedMeta(): WriteMeta {
  return { key: `u${processScope}${++untracked}`, root: -1, attempt: 0 };
}

/** The meta of a dead-letter record: one per item, so its key is the item's; `scope` is the store's (Store.scope). */
export function deadLetterMeta(record: FailureRecord, scope: string): WriteMeta {
  return { key: `${scope}${record.root}:dead`, root: record.root, attempt: record.attempts - 1 };
}

/** A 64-bit edge as 16 hex digits. */
function hex(hi: number, lo: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

// The hash being built by absorb(): module state, so that hashing a batch allocates nothing.
let hashHi = 0;
let hashLo = 0;

/** Mixes into the hash a copy (hi, lo) on `anchor`: the lineage of its anchor (a batch: of its parts), then its edge. */
function absorb(anchor: Anchor, hi: number, lo: number): void {
  if (anchor instanceof BatchAnchor) {
    for (const p of anchor.parts) absorb(p.anchor, p.hi, p.lo);
  } else {
    const root = anchor instanceof Root ? anchor : undefined;
    if (root?.key !== undefined) absorbText(root.key);
    else {
      if (root !== undefined) absorbText(root.owner.scope);
      const id = root?.id ?? -1;
      hashHi = fmix(hashHi ^ id);
      hashLo = fmix(hashLo ^ Math.imul(id | 0, 0x9e3779b1) ^ Math.floor(id / 0x100000000));
    }
  }
  hashHi = fmix(hashHi ^ hi);
  hashLo = fmix(hashLo ^ lo);
}

/** Mixes a text (a source's key for an item, a store's scope) into the hash, a UTF-16 unit at a time. */
function absorbText(key: string): void {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    hashHi = fmix(hashHi ^ c);
    hashLo = fmix(hashLo ^ Math.imul(c, 0x9e3779b1));
  }
}

function highestAttempt(batch: BatchAnchor): number {
  let attempt = 0;
  for (const p of batch.parts) {
    const a = p.anchor instanceof BatchAnchor ? highestAttempt(p.anchor) : p.attempt;
    if (a > attempt) attempt = a;
  }
  return attempt;
}
