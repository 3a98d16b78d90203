import { pipe } from 'rxjs';
import { appendFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consecutor, map, output, readFile, watchDirectory, type FileContent, type SourceContext, type SourceReader, type WatchedFile, type WatchOptions } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import type { DirectoryReader } from '../../src/sources/watch-reader.js';
import { tempDir, until } from './files-helpers.js';

let tmp: ReturnType<typeof tempDir>;
let dir: string;
const open: SourceReader<WatchedFile>[] = [];
beforeEach(() => {
  tmp = tempDir('consecution-watch-');
  dir = join(tmp.dir, 'inbox');
  mkdirSync(dir);
});
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
  tmp.remove();
});

/** A context whose state lives in this object, as a store would keep it across runs. */
function context(clock = new VirtualClock()): SourceContext & { clock: VirtualClock; saved: unknown } {
  const ctx = {
    clock,
    saved: undefined as unknown,
    state: { restore: () => ctx.saved, save: async (v: unknown) => void (ctx.saved = structuredClone(v)) },
  };
  return ctx;
}

async function watch(options: WatchOptions, ctx = context(), after?: unknown): Promise<DirectoryReader> {
  const reader = watchDirectory(dir, options).open(after, ctx) as DirectoryReader;
  open.push(reader);
  await reader.ready;
  return reader;
}

/** The next item, waiting for it (real fs events). */
async function next(reader: SourceReader<WatchedFile>): Promise<WatchedFile> {
  const r = await reader.read();
  if (r.done === true) throw new Error('the source ended');
  return r.value;
}

/** Whether a read settles within a few turns of the event loop (it must not, when nothing is due). */
async function settlesSoon(p: unknown): Promise<boolean> {
  let settled = false;
  void Promise.resolve(p).then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return settled;
}

const identity = (path: string) => {
  const s = statSync(path);
  return { path, size: s.size, mtimeMs: s.mtimeMs };
};

describe('watchDirectory', () => {
  it('emits the files already there, then new ones, as { path, size, mtimeMs }', async () => {
    writeFileSync(join(dir, 'a.txt'), 'aaa');
    const reader = await watch({});
    expect(await next(reader)).toEqual(identity(join(dir, 'a.txt')));
    writeFileSync(join(dir, 'b.txt'), 'bb');
    expect(await next(reader)).toEqual(identity(join(dir, 'b.txt')));
  });

  it('emits a changed file again, with its new size', async () => {
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'a');
    const reader = await watch({});
    expect((await next(reader)).size).toBe(1);
    appendFileSync(file, 'bcd');
    expect(await next(reader)).toEqual(identity(file));
    expect(identity(file).size).toBe(4);
  });

  it('with existing: false leaves out the files already there', async () => {
    writeFileSync(join(dir, 'old.txt'), 'old');
    const reader = await watch({ existing: false });
    writeFileSync(join(dir, 'new.txt'), 'new');
    expect((await next(reader)).path).toBe(join(dir, 'new.txt'));
  });

  it('emits only the files the pattern matches, at any depth when recursive', async () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'skip.txt'), '');
    writeFileSync(join(dir, '.hidden.csv'), '');
    writeFileSync(join(dir, 'sub', 'deep.csv'), '1');
    const reader = await watch({ pattern: '*.csv', recursive: true });
    expect((await next(reader)).path).toBe(join(dir, 'sub', 'deep.csv'));
    writeFileSync(join(dir, 'later.txt'), '');
    writeFileSync(join(dir, 'later.csv'), '2');
    expect((await next(reader)).path).toBe(join(dir, 'later.csv'));
  });

  it('does not look into subdirectories unless recursive', async () => {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'deep.txt'), '');
    const reader = await watch({});
    writeFileSync(join(dir, 'top.txt'), '');
    expect((await next(reader)).path).toBe(join(dir, 'top.txt'));
  });

  it('minAgeMs: a file still being written is emitted once it has stayed unchanged that long on the run clock, whole', async () => {
    const ctx = context();
    const reader = await watch({ minAgeMs: 1000 }, ctx);
    const file = join(dir, 'upload.bin');
    writeFileSync(file, 'half');
    await until(() => ctx.clock.pending === 1, 'the watcher saw the file and waits minAgeMs');
    const read = reader.read();
    ctx.clock.advance(500);
    appendFileSync(file, ' and the rest');
    // Due now had the file not changed: it has, so it waits again.
    ctx.clock.advance(500);
    expect(await settlesSoon(read)).toBe(false);
    await until(() => ctx.clock.pending === 1, 'the watcher waits again');
    ctx.clock.advance(999);
    expect(await settlesSoon(read)).toBe(false);
    ctx.clock.advance(1);
    const r = await read;
    expect(r).toEqual({ done: false, value: identity(file) });
    expect(identity(file).size).toBe('half and the rest'.length);
  });

  it('after a restart, a file whose item was journaled is not emitted again; one changed since is', async () => {
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'b.txt'), 'b');
    const ctx = context();
    const first = await watch({}, ctx);
    await next(first);
    await next(first);
    const journaled = first.position;
    first.admitted(journaled);
    await first.close();
    appendFileSync(join(dir, 'b.txt'), 'more');
    writeFileSync(join(dir, 'c.txt'), 'c');
    const second = await watch({}, ctx, journaled);
    const again = [await next(second), await next(second)].map((f) => f.path).sort();
    expect(again).toEqual([join(dir, 'b.txt'), join(dir, 'c.txt')]);
    expect(await settlesSoon(second.read())).toBe(false);
  });

  it('after a kill, a file emitted but not journaled is emitted again; one journaled is not', async () => {
    writeFileSync(join(dir, 'a.txt'), 'a');
    const ctx = context();
    const first = await watch({}, ctx);
    const a = await next(first);
    const aAt = first.position;
    writeFileSync(join(dir, 'b.txt'), 'b');
    const b = await next(first);
    expect(b.path).toBe(join(dir, 'b.txt'));
    // Killed here: the journal got a's item only (its position), b's never; no close(), no admitted().
    const second = await watch({}, ctx, aAt);
    expect(await next(second)).toEqual(b);
    expect(await settlesSoon(second.read())).toBe(false);
    expect(a.path).toBe(join(dir, 'a.txt'));
  });

  it('ends at close() (a run stopped): a pending read gets done', async () => {
    const reader = await watch({});
    const read = reader.read();
    await reader.close();
    expect(await read).toEqual({ done: true, value: undefined });
  });

  it('a directory that does not exist fails with SOURCE_FAILED naming it', async () => {
    const missing = join(tmp.dir, 'nope');
    const reader = watchDirectory(missing).open(undefined, context());
    open.push(reader);
    await expect(reader.read()).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: `watchDirectory(): the directory ${missing} does not exist` });
  });

  it('a directory that disappears fails the pending read with SOURCE_FAILED naming it', async () => {
    const reader = await watch({});
    const read = reader.read();
    rmSync(dir, { recursive: true });
    await expect(read).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: `watchDirectory(): the directory ${dir} disappeared` });
  });

  it('in runs on an LMDB store: stop() ends the run; the next run emits only the files new or changed since', async () => {
    writeFileSync(join(dir, 'a.txt'), 'a');
    writeFileSync(join(dir, 'b.txt'), 'b');
    const run = async (expected: number) => {
      const texts: string[] = [];
      const c = new Consecutor(pipe(readFile(), map((f: FileContent<string>) => f.content), output('texts')), {
        guarantee: 'replay',
        store: { path: join(tmp.dir, 'store') },
        outputs: { texts },
      });
      const done = c.run(watchDirectory(dir));
      await until(() => texts.length >= expected, `${expected} files read`);
      const report = await c.stop();
      expect(await done).toBe(report);
      expect(report).toMatchObject({ ok: true, completed: expected });
      return texts.sort();
    };
    expect(await run(2)).toEqual(['a', 'b']);
    appendFileSync(join(dir, 'b.txt'), '+');
    writeFileSync(join(dir, 'c.txt'), 'c');
    expect(await run(2)).toEqual(['b+', 'c']);
  });

  it('validates its options at once, showing the bad value', () => {
    expect(() => watchDirectory('')).toThrow('watchDirectory(): expected a directory, got string ""');
    expect(() => watchDirectory('d', { minAgeMs: -1 })).toThrow('watchDirectory(): minAgeMs must be an integer >= 0, got number -1');
    expect(() => watchDirectory('d', { pattern: 5 as never })).toThrow('watchDirectory(): pattern must be a glob or a RegExp, got number 5');
    expect(() => watchDirectory('d', { recursiv: true } as never)).toThrow('unknown watchDirectory() option recursiv');
  });
});
