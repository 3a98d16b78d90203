import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Consecutor, map, openStore, openStoreReadOnly, output, reduce } from 'consecution';
import { pipe } from 'rxjs';
import { migrateStore } from '../../src/store/migrate.js';
import { layout1Contents, layout1Message, writeLayout1Store } from './fixtures/layout-1.js';

const temp = () => mkdtempSync(join(tmpdir(), 'consecution-layout-'));

/** Sets (or with undefined removes) the layout version a store's meta database records, with lmdb directly. */
async function stampLayout(dir: string, layout: unknown): Promise<void> {
  const root = open({ path: join(dir, 'data.mdb'), maxDbs: 8, encoder: { structuredClone: true } });
  const meta = root.openDB({ name: 'meta', encoder: { structuredClone: true } } as { name: string });
  if (layout === undefined) await meta.remove('layout');
  else await meta.put('layout', layout);
  await root.close();
}

describe('the store layout', () => {
  it("keeps a store's scope across reopenings; a store of an earlier version with journaled items keeps the empty scope, so their keys stay", async () => {
    const fresh = temp();
    const made = openStore(fresh);
    const scope = made.scope();
    await made.close();
    expect(scope).toMatch(/^[\w-]{8}\.$/);
    const again = openStore(fresh);
    expect(again.scope()).toBe(scope);
    await again.close();

    // A store written before scopes: items journaled, no scope in its meta database.
    const old = temp();
    const store = openStore(old);
    await store.journal([{ id: 0, value: 'a', position: 0 }], 0);
    await store.close();
    const root = open({ path: join(old, 'data.mdb'), maxDbs: 8, encoder: { structuredClone: true } });
    await root.openDB({ name: 'meta', encoder: { structuredClone: true } } as { name: string }).remove('scope');
    await root.close();
    const reopened = openStore(old);
    expect(reopened.scope()).toBe('');
    await reopened.close();
    // A run replays its item with the key it had before scopes.
    const keys: string[] = [];
    const rows = { append: (_v: unknown, meta: { key: string }) => void keys.push(meta.key) };
    await new Consecutor(output('rows'), { guarantee: 'replay', store: { path: old }, outputs: { rows } }).run([]);
    expect(keys).toEqual(['0:0000000000000001']);
  });

  it('refuses a store in layout 1 (key prefixes) by its version, for openStore, openStoreReadOnly and a run; changes nothing', async () => {
    const dir = temp();
    await writeLayout1Store(dir);
    const before = readFileSync(join(dir, 'data.mdb'));
    const refused = expect.objectContaining({ code: 'STORE_FAILED', message: layout1Message(dir) });
    expect(() => openStore(dir)).toThrow(refused);
    expect(() => openStoreReadOnly(dir)).toThrow(refused);
    const c = new Consecutor(map((x: number) => x), { guarantee: 'replay', store: { path: dir } });
    await expect(c.run([1, 2])).rejects.toThrow(refused);
    // Never a silent rewrite: the data file is byte for byte what it was, and no lock stays.
    expect(readFileSync(join(dir, 'data.mdb')).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['data.mdb', 'data.mdb-lock']);
  });

  it('refuses a layout it does not know: a newer one, or none recorded', async () => {
    const dir = temp();
    await openStore(dir).close();
    await stampLayout(dir, 3);
    const newer = `cannot open store ${dir}: it is in store layout 3, and this version of consecution reads layout 2 (one LMDB database per kind): a newer consecution wrote it: open it with that version`;
    expect(() => openStore(dir)).toThrow(expect.objectContaining({ code: 'STORE_FAILED', message: newer }));
    expect(() => openStoreReadOnly(dir)).toThrow(expect.objectContaining({ code: 'STORE_FAILED', message: newer }));
    await stampLayout(dir, undefined);
    expect(() => openStore(dir)).toThrow(/it is in store layout \(none recorded\), and this version of consecution reads layout 2 .*: that layout is unknown$/);
    await stampLayout(dir, 2);
    await openStore(dir).close();
  });

  it('keeps one LMDB database per kind, nothing but their names in the root database, journal entries as [value, position]', async () => {
    const dir = temp();
    const store = openStore(dir);
    await store.journal([{ id: 0, value: 'a', position: 0 }], 0);
    await store.close();
    const root = open({ path: join(dir, 'data.mdb'), maxDbs: 8, readOnly: true });
    try {
      expect([...root.getKeys()]).toEqual(['checkpoints', 'dead', 'failures', 'journal', 'meta']);
      const meta = root.openDB({ name: 'meta', encoder: { structuredClone: true } } as { name: string });
      expect(meta.get('layout')).toBe(2);
      // Layout 2's journal entry is [value, position] under the lineage id (a change of it is a new layout).
      const journal = root.openDB({ name: 'journal', encoder: { structuredClone: true } } as { name: string });
      expect(journal.get(0)).toEqual(['a', 0]);
    } finally {
      await root.close();
    }
  });

  it('refuses a journal entry that is not in the layout\'s form, never misreads it', async () => {
    const dir = temp();
    await openStore(dir).close();
    const root = open({ path: join(dir, 'data.mdb'), maxDbs: 8, encoder: { structuredClone: true } });
    await root.openDB({ name: 'journal', encoder: { structuredClone: true } } as { name: string }).put(7, { v: 'a', p: 0 });
    await root.close();
    const store = openStore(dir);
    try {
      expect(() => store.pending()).toThrow(
        expect.objectContaining({ code: 'STORE_FAILED', message: expect.stringContaining(`cannot open store ${dir}: journal entry #7 is not in layout 2's form [value, position, rawOf?, key?]`) }),
      );
    } finally {
      await store.close();
    }
  });

  it('migrates a store of layout 1 in place: every record kept, then a run replays its journal', async () => {
    const dir = temp();
    await writeLayout1Store(dir);
    expect(await migrateStore(dir)).toEqual({ from: 1, to: 2, moved: 9 });
    expect(await migrateStore(dir)).toEqual({ from: 2, to: 2, moved: 0 });
    const store = openStore(dir);
    try {
      expect(store.pending()).toEqual(layout1Contents.pending);
      expect(store.deadLetters()).toEqual(layout1Contents.deadLetters);
      expect(store.failures()).toEqual(layout1Contents.failures);
      expect(store.restore('sum')).toEqual(layout1Contents.checkpoint);
      expect(store.position()).toBe(layout1Contents.position);
      expect(store.nextId()).toBe(layout1Contents.next);
      expect(store.stats()).toEqual({ pending: 2, deadLetters: 1, failures: 2, checkpoints: 1, position: 4 });
      // A failure record added now goes after the migrated ones.
      store.failure(layout1Contents.failures[0]!, 2);
      await store.flush();
      expect(store.failures()).toEqual([layout1Contents.failures[1], layout1Contents.failures[0]]);
    } finally {
      await store.close();
    }
    // The root database holds only the databases' names now: no layout-1 key is left.
    const root = open({ path: join(dir, 'data.mdb'), maxDbs: 8, readOnly: true });
    expect([...root.getKeys()]).toEqual(['checkpoints', 'dead', 'failures', 'journal', 'meta']);
    await root.close();

    // Item #3 (a Map, folded into the checkpoint's 30 already) is not folded again; item #4, raw
    // input of "in.ndjson", fails its parsing again under a source without parse(). Items 5.. are new.
    const totals: number[] = [];
    const report = await new Consecutor(pipe(map((x: unknown) => (x instanceof Map ? 0 : (x as number))), reduce('sum', (a: number, x: number) => a + x, 0), output('totals')), {
      guarantee: 'replay',
      store: { path: dir },
      outputs: { totals },
    }).run([0, 1, 2, 3, 4, 5, 6]);
    expect(report).toMatchObject({ completed: 3, deadLettered: 1 });
    expect(totals).toEqual([30 + 5 + 6]);
  });
});
