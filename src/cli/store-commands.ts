import type { FailureRecord } from '../acker/failure.js';
import { isConsecutionError, ConsecutionError } from '../errors.js';
import { lockOwner } from '../store/lock.js';
import { openStore } from '../store/lmdb.js';
import { requireStore } from '../store/lmdb-file.js';
import { migrateStore, type Migration } from '../store/migrate.js';
import { openStoreReadOnly } from '../store/readonly.js';
import { isBadInput, type RedriveOptions, type RedriveResult, type StoreAdmin, type StoreView } from '../store/store.js';

/** What `consecution inspect` prints, as data. */
export interface Inspection {
  readonly path: string;
  readonly pending: number;
  readonly deadLetters: readonly FailureRecord[];
  readonly failures: number;
  readonly checkpoints: number;
  readonly position: unknown;
  /** The pid of the live run that holds the store (its numbers may change), or null. */
  readonly heldBy: number | null;
}

/** Reads a store without changing it, creating anything, or taking its lock: a live run's too. */
export async function inspect(path: string): Promise<Inspection> {
  const view = openStoreReadOnly(path);
  const { heldBy } = view;
  const store: StoreView = view;
  try {
    const s = store.stats();
    return {
      path,
      pending: s.pending,
      deadLetters: store.deadLetters(),
      failures: s.failures,
      checkpoints: s.checkpoints,
      position: s.position,
      heldBy: heldBy ?? null,
    };
  } finally {
    await store.close();
  }
}

/** Moves a store's dead letters back to pending (see Store.redrive). Refuses a store a run holds. */
export async function redrive(path: string, options: RedriveOptions = {}): Promise<RedriveResult> {
  requireStore(path);
  let store: StoreAdmin;
  try {
    store = openStore(path);
  } catch (e) {
    throw explainLocked(path, 'redrive', e);
  }
  try {
    return await store.redrive(options);
  } finally {
    await store.close();
  }
}

/** Converts a store in the old layout (1) to the current one, in place (see migrateStore). Refuses a store a run holds. */
export async function migrate(path: string): Promise<Migration> {
  try {
    return await migrateStore(path);
  } catch (e) {
    throw explainLocked(path, 'migrate', e);
  }
}

/** A STORE_LOCKED of a writing command, told as which process holds the store and what to do. */
function explainLocked(path: string, command: string, e: unknown): unknown {
  if (!isConsecutionError(e, 'STORE_LOCKED')) return e;
  const pid = lockOwner(path);
  return new ConsecutionError(
    'STORE_LOCKED',
    `cannot ${command} store ${path}: it is in use by ${pid === undefined ? 'another process' : `process ${pid}`}, and ${command} writes to it: stop that run first (\`consecution inspect ${path}\` reads a live store)`,
    { cause: e },
  );
}

/** The human-readable form of what a migration did. */
export function formatMigration(path: string, m: Migration): string {
  if (m.from === m.to) return `store ${path} is in layout ${m.to} already: nothing to do`;
  return `store ${path} converted from layout ${m.from} to layout ${m.to} (${m.moved} record(s) moved)`;
}

/** The human-readable form of what a redrive did. */
export function formatRedrive(path: string, r: RedriveResult): string {
  const moved = `${r.redriven} dead letter(s) of ${path} moved back to pending`;
  if (r.skipped === 0) return moved;
  return `${moved}; skipped ${r.skipped} bad-input record(s): raw input that failed its source's parsing; --include-bad-input sends them through the source's parsing again`;
}

/** The human-readable form of an inspection. */
export function formatInspection(i: Inspection): string {
  const lines = [
    `store ${i.path}`,
    ...(i.heldBy === null ? [] : [`  live: held by process ${i.heldBy}; the numbers may change while it runs`]),
    `  pending items   ${i.pending}${i.pending > 0 ? '   (the next run replays them first)' : ''}`,
    `  dead letters    ${i.deadLetters.length}`,
    `  failure records ${i.failures}`,
    `  checkpoints     ${i.checkpoints}`,
    `  source position ${JSON.stringify(i.position ?? null)}`,
  ];
  if (i.deadLetters.length > 0) {
    lines.push('', 'dead letters:');
    for (const d of i.deadLetters) {
      lines.push(`  #${d.root} at node "${d.node}" after ${d.attempts} attempt(s): ${d.error.message}`);
    }
    const bad = i.deadLetters.filter(isBadInput).length;
    lines.push('', `run \`consecution redrive ${i.path}\` to send them through again`);
    if (bad > 0) lines.push(`  (${bad} of them bad input, skipped unless --include-bad-input: it is parsed again by its source)`);
  }
  return lines.join('\n');
}
