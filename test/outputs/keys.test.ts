import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { broadcast, chunk, Consecutor, flatten, map, node, output, type FailureRecord, type Source, type SourceReader, type WriteMeta } from 'consecution';

// append(value, meta): meta.key is the idempotency key of the item copy written (DESIGN §8). It is
// the same when the item runs again (a replay, a restart on the store) and differs between copies.

/** A target that keeps every write with its meta; `confirm` decides each write's promise. */
function recording<T>(confirm: (value: T, meta: WriteMeta, n: number) => Promise<void> | void = () => undefined) {
  const writes: { value: T; meta: WriteMeta }[] = [];
  return {
    writes,
    append(value: T, meta: WriteMeta) {
      writes.push({ value, meta });
      return confirm(value, meta, writes.length);
    },
  };
}

/** A source of `items`, each with its own key from outside (as a broker message's id), at positions 0, 1, ... */
function keyed<T>(items: readonly (readonly [key: string, value: T])[], name = 'keyed'): Source<T> {
  return {
    name,
    open(after?: unknown): SourceReader<T> {
      let i = typeof after === 'number' ? after + 1 : 0;
      const reader = {
        position: undefined as unknown,
        error: undefined,
        key: undefined as string | undefined,
        read: (): IteratorResult<T, unknown> => {
          if (i >= items.length) return { done: true, value: undefined };
          const [key, value] = items[i]!;
          reader.position = i++;
          reader.key = key;
          return { done: false, value };
        },
        close() {},
      };
      return reader;
    },
  };
}

const keysOf = (writes: readonly { value: unknown; meta: WriteMeta }[], value: unknown) => writes.filter((w) => w.value === value).map((w) => w.meta);

describe('the idempotency key of a write', () => {
  it('is the same in every attempt of an item: an output that rejects the first write', async () => {
    const rows = recording<number>((x, _meta, n) => (x === 2 && n <= 3 ? Promise.reject(new Error('busy')) : undefined));
    const report = await new Consecutor(output('rows'), { guarantee: 'replay', retries: 2, outputs: { rows } }).run([1, 2, 3]);
    expect(report).toMatchObject({ ok: true, completed: 3, retried: 1 });
    const [first, again] = keysOf(rows.writes, 2);
    expect(again!.key).toBe(first!.key);
    expect([first!.attempt, again!.attempt]).toEqual([0, 1]);
    expect(again!.root).toBe(first!.root);
    // The store's scope (in memory: the run's), the lineage id, the edge.
    expect(first!.key).toMatch(/^[\w-]{8}\.\d+:[0-9a-f]{16}$/);
    // Different items, different keys.
    expect(new Set(rows.writes.map((w) => w.meta.key)).size).toBe(3);
  });

  it('is the same in every attempt when another branch fails the item, and differs between the copies of a broadcast', async () => {
    let failedOnce = false;
    const flaky = node('flaky', {
      process(x: number) {
        if (x === 2 && !failedOnce) {
          failedOnce = true;
          throw new Error('first attempt fails');
        }
        return x;
      },
    });
    const rows = recording<number>();
    const c = new Consecutor(broadcast(output('rows'), pipe(flaky, output('rows', { name: 'rows again' }))), {
      guarantee: 'replay',
      outputs: { rows },
    });
    expect(await c.run([1, 2])).toMatchObject({ ok: true, completed: 2, retried: 1 });
    // Item 2: the first branch wrote it in both attempts, the second only in the replay.
    const twos = keysOf(rows.writes, 2);
    expect(twos.map((m) => m.attempt)).toEqual([0, 1, 1]);
    expect(twos[1]!.key).toBe(twos[0]!.key);
    expect(twos[2]!.key).not.toBe(twos[0]!.key);
    const ones = keysOf(rows.writes, 1);
    expect(ones).toHaveLength(2);
    expect(ones[0]!.key).not.toBe(ones[1]!.key);
    expect(ones[0]!.root).toBe(ones[1]!.root);
  });

  it("is the same in every attempt for a node's ctx.write, and one per write", async () => {
    const seen = new Set<number>();
    const audit = node('audit', {
      process(x: number, ctx) {
        ctx.write('log', `${x}a`);
        ctx.write('log', `${x}b`);
        if (!seen.has(x)) {
          seen.add(x);
          throw new Error('first attempt fails');
        }
      },
    });
    const log = recording<string>(() => Promise.resolve());
    expect(await new Consecutor(audit, { guarantee: 'replay', outputs: { log } }).run([1])).toMatchObject({ ok: true, completed: 1, retried: 1 });
    const a = keysOf(log.writes, '1a');
    const b = keysOf(log.writes, '1b');
    expect(a.map((m) => m.attempt)).toEqual([0, 1]);
    expect(a[1]!.key).toBe(a[0]!.key);
    expect(b[1]!.key).toBe(b[0]!.key);
    expect(a[0]!.key).not.toBe(b[0]!.key);
  });

  it('is the same after a restart on the LMDB store: the journal keeps lineage ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-keys-'));
    try {
      const options = { guarantee: 'replay', store: { path: dir }, drainMs: 50 } as const;
      // The first run's output never confirms: stopped, its items stay in the journal.
      let stopping: Promise<unknown> | undefined;
      const stuck = recording<number>((_x, _meta, n) => {
        if (n === 3) stopping = first.stop();
        return new Promise<void>(() => {});
      });
      const first = new Consecutor(pipe(map((x: number) => x * 10), output('rows')), { ...options, outputs: { rows: stuck } });
      const stopped = await first.run([1, 2, 3]);
      await stopping;
      expect(stopped).toMatchObject({ stopped: true, pending: 3, completed: 0 });

      const rows = recording<number>();
      const second = new Consecutor(pipe(map((x: number) => x * 10), output('rows')), { ...options, outputs: { rows } });
      expect(await second.run([])).toMatchObject({ ok: true, completed: 3 });
      for (const x of [10, 20, 30]) expect(keysOf(rows.writes, x)).toEqual(keysOf(stuck.writes, x));
      expect(new Set(rows.writes.map((w) => w.meta.key)).size).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("of a chunk's batch is made of its items': the same when the same items make it up again", async () => {
    const batches = recording<number[]>((_b, _meta, n) => (n === 1 ? Promise.reject(new Error('busy')) : undefined));
    const items = recording<number>();
    const c = new Consecutor(pipe(chunk(3), broadcast(output('batches'), pipe(flatten(), output('items')))), {
      guarantee: 'replay',
      outputs: { batches, items },
    });
    expect(await c.run([1, 2, 3])).toMatchObject({ ok: true, completed: 3, retried: 3 });
    const [first, again] = batches.writes.map((w) => w.meta);
    expect(again!.key).toBe(first!.key);
    expect(first).toMatchObject({ root: -1, attempt: 0 });
    expect(again).toMatchObject({ root: -1, attempt: 1 });
    expect(first!.key).toMatch(/^b[0-9a-f]{16}:[0-9a-f]{16}$/);
    // What a flatten makes of the batch: one key per item, the same in both attempts.
    for (const x of [1, 2, 3]) {
      const [k0, k1] = keysOf(items.writes, x);
      expect(k1!.key).toBe(k0!.key);
    }
    expect(new Set(items.writes.map((w) => w.meta.key)).size).toBe(3);
  });

  it("of values of no tracked item (guarantee 'none', end()) is unique, root -1; a dead letter's is its item's", async () => {
    const rows = recording<number>();
    const sum = node('sum', {
      process() {},
      end(ctx) {
        ctx.write('rows', 99);
      },
    });
    await new Consecutor(broadcast(output('rows'), sum), { guarantee: 'none', outputs: { rows } }).run([1, 2]);
    expect(rows.writes.map((w) => w.meta.root)).toEqual([-1, -1, -1]);
    expect(new Set(rows.writes.map((w) => w.meta.key)).size).toBe(3);
    expect(rows.writes.every((w) => /^u[\w-]{8}\.\d+$/.test(w.meta.key))).toBe(true);

    const dead = recording<FailureRecord>();
    const bad = map((x: number) => {
      if (x === 2) throw new Error('no 2');
      return x;
    });
    await new Consecutor(bad, { guarantee: 'replay', retries: 1, outputs: { deadLetter: dead } }).run([1, 2]);
    const [letter] = dead.writes;
    expect(letter!.meta).toMatchObject({ root: letter!.value.root, attempt: 1 });
    expect(letter!.meta.key).toMatch(new RegExp(`^[\\w-]{8}\\.${letter!.value.root}:dead$`));
  });

  it("is made of the source's key for the item when it has one: the same in another run whose lineage ids differ", async () => {
    const run = async (items: readonly (readonly [string, number])[]) => {
      const rows = recording<number>();
      const c = new Consecutor(broadcast(output('rows'), pipe(map((x: number) => x + 1), output('rows', { name: 'rows again' }))), { outputs: { rows } });
      expect(await c.run(keyed(items))).toMatchObject({ ok: true });
      return rows.writes;
    };
    // The second run (another copy of the pipeline) gets message s:7 after another one: another lineage id.
    const first = await run([['s:7', 70]]);
    const second = await run([['s:6', 60], ['s:7', 70]]);
    expect(first.map((w) => w.meta.key)).toEqual(second.filter((w) => w.value === 70 || w.value === 71).map((w) => w.meta.key));
    expect(first[0]!.meta.root).not.toBe(second.find((w) => w.value === 70)!.meta.root);
    expect(first[0]!.meta.key).toMatch(/^s:7:[0-9a-f]{16}$/);
    // The two copies of the broadcast still have keys of their own.
    expect(first[0]!.meta.key).not.toBe(first[1]!.meta.key);
    // A chunk's batch key is made of the items' source keys too.
    const batchKey = async (items: readonly (readonly [string, number])[]) => {
      const batches = recording<number[]>();
      await new Consecutor(pipe(chunk(2), output('batches')), { outputs: { batches } }).run(keyed(items));
      return batches.writes.map((w) => w.meta.key);
    };
    expect(await batchKey([['a', 1], ['b', 2]])).toEqual(await batchKey([['a', 5], ['b', 6]]));
    expect(await batchKey([['a', 1], ['b', 2]])).not.toEqual(await batchKey([['a', 1], ['c', 2]]));
  });

  it("made of the source's key, is the same after a restart on the LMDB store: the journal keeps the key", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-keys-'));
    try {
      const options = { guarantee: 'replay', store: { path: dir }, drainMs: 50 } as const;
      let stopping: Promise<unknown> | undefined;
      const stuck = recording<number>((_x, _meta, n) => {
        if (n === 2) stopping = first.stop();
        return new Promise<void>(() => {});
      });
      const items = [['m-1', 1], ['m-2', 2]] as const;
      const first = new Consecutor(output('rows'), { ...options, outputs: { rows: stuck } });
      expect(await first.run(keyed(items))).toMatchObject({ stopped: true, pending: 2 });
      await stopping;
      const rows = recording<number>();
      expect(await new Consecutor(output('rows'), { ...options, outputs: { rows } }).run(keyed(items))).toMatchObject({ ok: true, completed: 2 });
      expect(rows.writes.map((w) => w.meta.key)).toEqual(stuck.writes.map((w) => w.meta.key));
      expect(rows.writes.map((w) => w.meta.key.split(':')[0])).toEqual(['m-1', 'm-2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never meets the keys of another store: runs without a store, and two LMDB stores, give their first items different keys', async () => {
    const firstKey = async (store?: { path: string }, items = [1]) => {
      const rows = recording<number>();
      await new Consecutor(output('rows'), { outputs: { rows }, ...(store === undefined ? {} : { store }) }).run(items);
      return rows.writes[0]!.meta;
    };
    const [a, b] = [await firstKey(), await firstKey()];
    expect([a.root, b.root]).toEqual([0, 0]);
    expect(a.key).not.toBe(b.key);
    const dirs = [mkdtempSync(join(tmpdir(), 'consecution-keys-')), mkdtempSync(join(tmpdir(), 'consecution-keys-'))];
    try {
      const [x, y] = [await firstKey({ path: dirs[0]! }), await firstKey({ path: dirs[1]! })];
      expect([x.root, y.root]).toEqual([0, 0]);
      expect(x.key).not.toBe(y.key);
      // The same store keeps its scope: its next item's key begins as its first's did.
      const again = await firstKey({ path: dirs[0]! }, [1, 2]);
      expect(again.root).toBe(1);
      expect(again.key.split('.')[0]).toBe(x.key.split('.')[0]);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
