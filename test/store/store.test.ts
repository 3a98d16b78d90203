import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { Consecutor, ConsecutionError, fromFile, fromIterable, map, node, openStore, openStoreReadOnly, output, reduce, scan } from 'consecution';

import { badLineRun as badLine } from './fixtures/bad-line.js';

const temp = () => mkdtempSync(join(tmpdir(), 'consecution-store-'));

describe('the LMDB store', () => {
  it('keeps the journal, dead letters, failures and position; redrive moves dead letters back', async () => {
    const dir = temp();
    const c = new Consecutor(
      node('picky', {
        process(x: number) {
          if (x === 2) throw new Error('no 2');
          return x;
        },
      }),
      { guarantee: 'replay', retries: 1, store: { path: dir } },
    );
    const report = await c.run([1, 2, 3]);
    expect(report).toMatchObject({ completed: 2, deadLettered: 1 });
    const store = openStore(dir);
    try {
      expect(store.stats()).toMatchObject({ pending: 0, deadLetters: 1, failures: 2, position: 2 });
      expect(store.deadLetters()[0]).toMatchObject({ item: 2, node: 'picky', attempts: 2 });
      expect(store.failures().map((f) => f.attempts)).toEqual([1, 2]);
      expect(await store.redrive()).toEqual({ redriven: 1, skipped: 0 });
      expect(store.stats()).toMatchObject({ pending: 1, deadLetters: 0 });
      expect(store.pending()).toEqual([{ id: 1, value: 2, position: undefined }]);
    } finally {
      await store.close();
    }
    await expect(store.journal([{ id: 9, value: 9, position: 9 }], 9)).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    await expect(store.redrive()).rejects.toThrow(`store ${dir} is closed`);
  });

  it('a run on a store with pending items replays them first, then resumes its source after the last position', async () => {
    const dir = temp();
    const store = openStore(dir);
    // What a killed run left behind: items 0..4 journaled, items 3 and 4 still pending.
    await store.journal(
      [
        { id: 3, value: 'd', position: 3 },
        { id: 4, value: 'e', position: 4 },
      ],
      4,
    );
    await store.close();
    const seen: string[] = [];
    const c = new Consecutor(output('seen'), { guarantee: 'replay', store: { path: dir }, outputs: { seen } });
    const report = await c.run(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(seen).toEqual(['d', 'e', 'f', 'g']);
    expect(report).toMatchObject({ ok: true, ingested: 4, completed: 4 });
  });

  it('reduce and scan resume from their checkpoint; an item folded before the crash is not folded again', async () => {
    const dir = temp();
    const store = openStore(dir);
    // Before the crash: 10 and 20 folded (sum 30, checkpointed with item #1 still pending), item #1 not complete.
    await store.journal([{ id: 1, value: 20, position: 1 }], 1);
    await store.checkpoint('sum', { state: 30, folded: [[1, [[0, 1, undefined]]]] });
    await store.close();
    const totals: number[] = [];
    const c = new Consecutor(pipe(reduce('sum', (a: number, x: number) => a + x, 0), output('totals')), {
      guarantee: 'replay',
      store: { path: dir },
      outputs: { totals },
    });
    const report = await c.run([10, 20, 30]);
    expect(report.ok).toBe(true);
    expect(totals).toEqual([60]); // 10 + 20 + 30, with 20 not counted twice

    const running: number[] = [];
    const d = temp();
    const c2 = new Consecutor(pipe(scan('running', (a: number, x: number) => a + x, 0), output('running')), {
      guarantee: 'replay',
      store: { path: d },
      outputs: { running },
    });
    await c2.run([1, 2, 3]);
    expect(running).toEqual([1, 3, 6]);
  });

  it('resumes a file after the last line journaled, by byte offset', async () => {
    const dir = temp();
    const file = join(dir, 'in.ndjson');
    writeFileSync(file, '{"n":1}\n{"n":2}\r\n{"n":3}\n');
    const store = openStore(join(dir, 'state'));
    await store.journal([], 0);
    await store.close();
    // Byte 8 is just past the first line: the run starts at the second.
    const s2 = openStore(join(dir, 'state'));
    await s2.journal([{ id: 0, value: { n: 1 }, position: 8 }], 8);
    s2.forget(0);
    await s2.close();
    const out: number[] = [];
    const c = new Consecutor(map((r: { n: number }) => r.n), { store: { path: join(dir, 'state') }, outputs: { default: out } });
    await c.run(fromFile(file, { format: 'ndjson' }));
    expect(out).toEqual([2, 3]);
  });

  it('gives clear errors: a file at the path, a foreign or corrupted data file, an unwritable place, a locked store', async () => {
    const dir = temp();
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'hello');
    expect(() => openStore(file)).toThrow(/cannot open store .*not-a-dir: it is a file, not a directory/);

    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'data.mdb'), 'this is not an LMDB file at all, just text '.repeat(200));
    expect(() => openStore(foreign)).toThrow(/data.mdb is corrupted or not an LMDB file/);
    expect(() => openStore(foreign)).toThrow(expect.objectContaining({ code: 'STORE_FAILED' }));

    expect(() => openStore('/sys/consecution-store')).toThrow(/cannot open store \/sys\/consecution-store/);

    const locked = join(dir, 'locked');
    const first = openStore(locked);
    try {
      expect(() => openStore(locked)).toThrow(expect.objectContaining({ code: 'STORE_LOCKED' }));
      const c = new Consecutor(map((x: number) => x), { store: { path: locked } });
      await expect(c.run([1])).rejects.toThrow(/is in use by another consecutor in this process/);
      // Another process, too.
      const script = `import { openStore } from 'consecution'; try { openStore(${JSON.stringify(locked)}) } catch (e) { console.log(e.code, e.message) }`;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
      expect(out).toContain(`STORE_LOCKED store ${locked} is in use by process ${process.pid}`);
    } finally {
      await first.close();
    }
    // Once closed it can be opened again; a lock left by a killed process is taken over.
    writeFileSync(join(locked, 'consecution.lock'), '999999');
    const again = openStore(locked);
    await again.close();
    expect(() => new Consecutor(map((x: number) => x), { guarantee: 'none', store: { path: locked } })).toThrow(ConsecutionError);
  });

  describe('opened read-only', () => {
    it('reads a store a writer holds, names the holder, and leaves the writer working', async () => {
      const dir = temp();
      const writer = openStore(dir);
      try {
        await writer.journal([{ id: 0, value: 'a', position: 0 }], 0);
        const view = openStoreReadOnly(dir);
        expect(view.heldBy).toBe(process.pid);
        expect(view.pending()).toEqual([{ id: 0, value: 'a', position: 0 }]);
        expect(view.stats()).toMatchObject({ pending: 1, position: 0 });
        await view.close();
        await writer.journal([{ id: 1, value: 'b', position: 1 }], 1);
        expect(writer.stats().pending).toBe(2);
      } finally {
        await writer.close();
      }
      const after = openStoreReadOnly(dir);
      expect(after.heldBy).toBeUndefined();
      expect(after.pending().map((e) => e.value)).toEqual(['a', 'b']);
      await after.close();
    });

    it('creates nothing: a missing store, a directory without one, a store without its LMDB lock file', async () => {
      const missing = join(temp(), 'missing');
      expect(() => openStoreReadOnly(missing)).toThrow(expect.objectContaining({ code: 'STORE_FAILED', message: `cannot open store ${missing}: it does not exist` }));
      expect(existsSync(missing)).toBe(false);
      const empty = temp();
      expect(() => openStoreReadOnly(empty)).toThrow(/it holds no data.mdb/);
      expect(readdirSync(empty)).toEqual([]);

      // LMDB readers create its lock file when it is missing: the look goes to a copy instead.
      const dir = temp();
      const s = openStore(dir);
      await s.journal([{ id: 0, value: 'a', position: 0 }], 0);
      await s.close();
      rmSync(join(dir, 'data.mdb-lock'));
      const view = openStoreReadOnly(dir);
      expect(view.pending()).toEqual([{ id: 0, value: 'a', position: 0 }]);
      await view.close();
      expect(readdirSync(dir)).toEqual(['data.mdb']);
    });

    it('refuses a foreign data file before LMDB maps it, and an LMDB file of something else', async () => {
      const foreign = temp();
      writeFileSync(join(foreign, 'data.mdb'), 'this is not an LMDB file at all, just text '.repeat(200));
      writeFileSync(join(foreign, 'data.mdb-lock'), '');
      expect(() => openStoreReadOnly(foreign)).toThrow(/cannot open store .*: data.mdb is corrupted or not an LMDB file \(no LMDB header\)/);

      const other = temp();
      const script = `const lmdb = require('lmdb'); const db = lmdb.open({ path: ${JSON.stringify(join(other, 'data.mdb'))} }); db.putSync('hello', 'world'); db.close();`;
      execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() });
      expect(() => openStoreReadOnly(other)).toThrow(/it holds data that is not a consecution store/);
      expect(readdirSync(other).sort()).toEqual(['data.mdb', 'data.mdb-lock']);
    });
  });

  describe('redrive of bad input (a line its source could not parse)', () => {
    const badLineRun = () => badLine(temp());

    it('is skipped by default; with includeBadInput it is moved, marked as raw input of its source', async () => {
      const { store: dir } = await badLineRun();
      const store = openStore(dir);
      try {
        expect(store.deadLetters()).toMatchObject([{ item: 'not json', node: 'in.ndjson', error: { code: 'BAD_INPUT' } }]);
        expect(await store.redrive()).toEqual({ redriven: 0, skipped: 1 });
        expect(store.stats()).toMatchObject({ pending: 0, deadLetters: 1 });
        expect(await store.redrive({ includeBadInput: true })).toEqual({ redriven: 1, skipped: 0 });
        expect(store.pending()).toEqual([{ id: 1, value: 'not json', position: undefined, rawOf: 'in.ndjson' }]);
      } finally {
        await store.close();
      }
    });

    it('the next run parses it again: still bad, it fails again with BAD_INPUT and never reaches the pipeline', async () => {
      const { file, store: dir, seen, pipeline } = await badLineRun();
      const store = openStore(dir);
      await store.redrive({ includeBadInput: true });
      await store.close();
      seen.length = 0;
      const deadLetter: { item: unknown; error: { code?: string; message: string } }[] = [];
      const report = await new Consecutor(pipeline, { guarantee: 'replay', store: { path: dir }, outputs: { deadLetter } }).run(
        fromFile(file, { format: 'ndjson' }),
      );
      expect(seen).toEqual([]);
      expect(report).toMatchObject({ ingested: 1, completed: 0, deadLettered: 1 });
      expect(deadLetter).toMatchObject([{ item: 'not json', error: { code: 'BAD_INPUT', message: expect.stringContaining('in.ndjson: raw input "not json" is not valid JSON') } }]);
    });

    it('a raw entry the source now parses enters as its value; a source that cannot parse fails it again', async () => {
      const dir = temp();
      const store = openStore(dir);
      await store.journal([{ id: 0, value: '{"n":5}', position: undefined, rawOf: 'in.ndjson' }], 0);
      await store.close();
      const seen: unknown[] = [];
      const report = await new Consecutor(map((r: unknown) => seen.push(r)), { guarantee: 'replay', store: { path: dir } }).run(
emptyFile(dir));
      expect(seen).toEqual([{ n: 5 }]);
      expect(report).toMatchObject({ completed: 1, deadLettered: 0 });

      const again = openStore(dir);
      await again.journal([{ id: 1, value: '{"n":6}', position: undefined, rawOf: 'in.ndjson' }], 1);
      await again.close();
      const deadLetter: { error: { code?: string; message: string } }[] = [];
      const r2 = await new Consecutor(map((r: unknown) => seen.push(r)), { guarantee: 'replay', store: { path: dir }, outputs: { deadLetter } }).run(
        fromIterable<unknown>([], { name: 'numbers' }),
      );
      expect(seen).toEqual([{ n: 5 }]);
      expect(r2).toMatchObject({ completed: 0, deadLettered: 1 });
      expect(deadLetter[0]!.error).toMatchObject({
        code: 'BAD_INPUT',
        message: 'item #1 is journaled as raw input of source "in.ndjson" (the text it was parsed from, or redriven bad input), and source "numbers" cannot parse it again (it has no parse())',
      });
    });
  });
});

/** The source the raw entry came from, read again where it ended: nothing new in it. */
function emptyFile(dir: string) {
  const file = join(dir, 'in.ndjson');
  writeFileSync(file, '');
  return fromFile(file, { format: 'ndjson' });
}
