import { openSync, closeSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConsecutionError } from '../errors.js';

const held = new Set<string>();

/**
 * Takes the store's lock: a file holding the owner's pid, created exclusively. A lock whose
 * process is gone (killed with -9) is taken over; a live one is `STORE_LOCKED`. Two consecutors
 * in one process are told apart by the set of paths this process holds.
 */
export function lockStore(dir: string): () => void {
  const file = join(dir, 'consecution.lock');
  if (held.has(file)) throw locked(dir, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(file);
      return () => {
        held.delete(file);
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = liveOwner(file);
      if (owner !== undefined) throw locked(dir, owner);
      // The owner is gone: remove its lock and try again (one of several racers wins the create).
      try {
        unlinkSync(file);
      } catch {
        // Another process removed it first.
      }
    }
  }
  throw locked(dir, Number(readText(file)));
}

/**
 * The process that holds the store's lock while it runs, if any: what a read-only look reports
 * (it takes no lock itself). Undefined when no lock is there or its process is gone.
 *
 * @example
 * ```ts
 * const pid = lockOwner('./state'); // 4711 while a run has it open
 * ```
 */
export function lockOwner(dir: string): number | undefined {
  return liveOwner(join(dir, 'consecution.lock'));
}

function liveOwner(file: string): number | undefined {
  const owner = Number(readText(file));
  return Number.isInteger(owner) && owner > 0 && alive(owner) ? owner : undefined;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function locked(dir: string, pid: number): ConsecutionError {
  return new ConsecutionError(
    'STORE_LOCKED',
    `store ${dir} is in use by ${pid === process.pid ? 'another consecutor in this process' : `process ${pid}`}: two consecutors must not share a store`,
  );
}
