// What the file connectors' tests share: temp directories, an honest count of fsyncs, and waiting
// for an outcome (never for a duration).
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';

export function tempDir(prefix = 'consecution-files-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The prototype of node:fs/promises FileHandle, whose methods every file handle uses. */
export async function fileHandlePrototype(dir: string): Promise<Record<'sync' | 'write' | 'datasync', (...args: unknown[]) => Promise<unknown>>> {
  const fh = await open(join(dir, '.probe'), 'w');
  const proto = Object.getPrototypeOf(fh) as Record<'sync' | 'write' | 'datasync', (...args: unknown[]) => Promise<unknown>>;
  await fh.close();
  return proto;
}

/**
 * Counts the real fsync calls (and writes) made through file handles: the methods are wrapped,
 * and call through to the real ones. `onSync(fn)` runs `fn` just before each fsync, `onSynced(fn)` once it is done; `failNextSync`
 * makes the next fsync reject (a disk that fails).
 */
export async function countFsyncs(dir: string): Promise<{ syncs(): number; writes(): number; onSync(fn: () => void): void; onSynced(fn: () => void): void; failNextSync(e: Error): void; restore(): void }> {
  const proto = await fileHandlePrototype(dir);
  const real = { sync: proto.sync, write: proto.write };
  const hooks: (() => void)[] = [];
  const synced: (() => void)[] = [];
  let failure: Error | undefined;
  const sync = vi.spyOn(proto, 'sync').mockImplementation(function (this: unknown, ...args: unknown[]) {
    for (const h of hooks) h();
    if (failure !== undefined) {
      const e = failure;
      failure = undefined;
      return Promise.reject(e);
    }
    return real.sync.apply(this, args).then((v) => {
      for (const h of synced) h();
      return v;
    });
  });
  const write = vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
    return real.write.apply(this, args);
  });
  return {
    syncs: () => sync.mock.calls.length,
    writes: () => write.mock.calls.length,
    onSync: (fn) => void hooks.push(fn),
    onSynced: (fn) => void synced.push(fn),
    failNextSync: (e) => void (failure = e),
    restore() {
      sync.mockRestore();
      write.mockRestore();
    },
  };
}

/** Waits until `cond()` holds, checking every 5 ms of real time; fails after `limitMs` (generous: a loaded machine). */
export async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
