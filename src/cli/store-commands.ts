import type { FailureRecord } from '../acker/failure.js';
import { openStore } from '../store/lmdb.js';

/** What `consecution inspect` prints, as data. */
export interface Inspection {
  readonly path: string;
  readonly pending: number;
  readonly deadLetters: readonly FailureRecord[];
  readonly failures: number;
  readonly checkpoints: number;
  readonly position: unknown;
}

/** Reads a store without changing it. */
export async function inspect(path: string): Promise<Inspection> {
  const store = openStore(path);
  try {
    const s = store.stats();
    return { path, pending: s.pending, deadLetters: store.deadLetters(), failures: s.failures, checkpoints: s.checkpoints, position: s.position };
  } finally {
    await store.close();
  }
}

/** Moves a store's dead letters back to pending; returns how many. */
export async function redrive(path: string): Promise<number> {
  const store = openStore(path);
  try {
    return await store.redrive();
  } finally {
    await store.close();
  }
}

/** The human-readable form of an inspection. */
export function formatInspection(i: Inspection): string {
  const lines = [
    `store ${i.path}`,
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
    lines.push('', `run \`consecution redrive ${i.path}\` to send them through again`);
  }
  return lines.join('\n');
}
