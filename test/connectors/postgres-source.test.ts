// fromPostgres against the real server: a cursor or keyset pages, read only as the run pulls,
// resumed after a restart on an LMDB store, and an unreachable database failing the run first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consecutor, fromPostgres, node, output, type PostgresSourceOptions, type RunReport } from 'consecution';
import { admin, connection, nowhere, server, table, uniqueName } from './postgres-db.js';
import { skip } from './services.js';

interface Event {
  id: number;
  body: string;
}

/** Runs `options` through a pipeline that collects the rows; with `stopAt`, the run is stopped once that many were seen. */
async function collect(options: Omit<PostgresSourceOptions, 'connection'>, store?: string, stopAt?: number): Promise<{ rows: Event[]; report: RunReport }> {
  const rows: Event[] = [];
  let stopping: Promise<RunReport> | undefined;
  const c = new Consecutor(output('rows'), {
    guarantee: 'replay',
    maxPending: 5,
    ...(store === undefined ? {} : { store: { path: store } }),
    outputs: {
      rows: {
        append(row: Event) {
          rows.push(row);
          if (rows.length === stopAt) stopping = c.stop();
        },
      },
    },
  });
  const report = await c.run(fromPostgres<Event>({ connection, ...options }));
  if (stopping !== undefined) expect(await stopping).toBe(report);
  return { rows, report };
}

const ids = (rows: readonly Event[]) => rows.map((r) => r.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function events(n: number): Promise<string> {
  const db = await admin();
  const name = await table(db, 'events', 'id int PRIMARY KEY, body text NOT NULL, kind text NOT NULL');
  await db.query(`INSERT INTO "${name}" SELECT g, 'event ' || g, CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END FROM generate_series(1, $1) g`, [n]);
  return name;
}

describe.skipIf(skip(server))('fromPostgres', () => {
  it('reads the rows of a query with params from a cursor, in its order', async () => {
    const name = await events(1234);
    const { rows, report } = await collect({ query: `SELECT id, body FROM "${name}" WHERE kind = $1 ORDER BY id;`, params: ['even'], batchSize: 100 });
    expect(report).toMatchObject({ ok: true, completed: 617 });
    expect(ids(rows)).toEqual(range(1, 617).map((i) => i * 2));
    expect(rows[0]).toEqual({ id: 2, body: 'event 2' });
  });

  it('with key, reads keyset pages in key order (the query written without ORDER BY)', async () => {
    const name = await events(103);
    const { rows, report } = await collect({ query: `SELECT id, body FROM "${name}" WHERE kind = $1`, params: ['odd'], key: 'id', batchSize: 10 });
    expect(report).toMatchObject({ ok: true, completed: 52 });
    expect(ids(rows)).toEqual(range(0, 51).map((i) => i * 2 + 1));
  });

  it('with key, a run stopped mid-way and restarted on its LMDB store resumes after the last journaled key, rows added meanwhile included', async () => {
    const name = await events(200);
    const store = join(mkdtempSync(join(tmpdir(), 'consecution-pg-')), 'store');
    const options = { query: `SELECT id, body FROM "${name}"`, key: 'id', batchSize: 16 };
    const first = await collect(options, store, 37);
    expect(first.report).toMatchObject({ ok: true, stopped: true, pending: 0 });
    const db = await admin();
    await db.query(`INSERT INTO "${name}" VALUES (500, 'late', 'even')`);
    const second = await collect(options, store);
    expect(second.report).toMatchObject({ ok: true });
    // Each row once across the two runs: the second read none of what the first journaled.
    expect([...ids(first.rows), ...ids(second.rows)]).toEqual([...range(1, 200), 500]);
    expect(first.rows.length).toBeLessThan(100);
    expect(second.rows[0]!.id).toBe(first.rows.length + 1);
  });

  it('without key, a restarted run skips the rows it journaled (the query ordered by a unique column)', async () => {
    const name = await events(150);
    const store = join(mkdtempSync(join(tmpdir(), 'consecution-pg-')), 'store');
    const options = { query: `SELECT id, body FROM "${name}" ORDER BY id`, batchSize: 8 };
    const first = await collect(options, store, 40);
    expect(first.report).toMatchObject({ ok: true, stopped: true, pending: 0 });
    const second = await collect(options, store);
    expect(first.rows.length).toBeLessThan(100);
    expect([...ids(first.rows), ...ids(second.rows)]).toEqual(range(1, 150));
  });

  it('a connection the server kills mid-run fails the run with SOURCE_FAILED; restarted on its store, the run goes on after the last journaled key', async () => {
    const name = await events(300);
    const db = await admin();
    const store = join(mkdtempSync(join(tmpdir(), 'consecution-pg-')), 'store');
    const application_name = `severed-${name}`;
    const source = () => fromPostgres<Event>({ connection: { ...connection, application_name }, query: `SELECT id, body FROM "${name}"`, key: 'id', batchSize: 20 });
    const seen: number[] = [];
    const sever = node('sever', {
      async process(e: Event) {
        seen.push(e.id);
        if (e.id === 100) await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [application_name]);
      },
    });
    const first = await new Consecutor(sever, { guarantee: 'replay', maxPending: 5, store: { path: store } }).run(source()).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('source "postgres" failed') });
    const stoppedAt = Math.max(...seen);
    expect(stoppedAt).toBeLessThan(300);
    const report = await new Consecutor(sever, { guarantee: 'replay', store: { path: store } }).run(source());
    expect(report.ok).toBe(true);
    // Every row was processed; the ones read again are only those the first run had not completed.
    expect(new Set(seen)).toEqual(new Set(range(1, 300)));
    expect(seen.length - 300).toBeLessThanOrEqual(5 + 1);
  });

  it('reads the cursor only as the run pulls: a stalled pipeline leaves the rest of the query unproduced', async () => {
    const db = await admin();
    const seq = uniqueName('produced');
    await db.query(`CREATE SEQUENCE "${seq}"`);
    try {
      // nextval() runs as the server produces each row: the sequence counts the rows fetched.
      const query = `SELECT g AS id, nextval('"${seq}"') AS produced FROM generate_series(1, 100000) g`;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let seen = 0;
      let stalled!: () => void;
      const allIn = new Promise<void>((r) => (stalled = r));
      const hold = node('hold', {
        concurrency: 50,
        async process(row: { id: number }) {
          if (++seen === 50) stalled();
          await gate;
          return row.id;
        },
      });
      const c = new Consecutor(hold, { maxPending: 50 });
      const done = c.run(fromPostgres({ connection, query, batchSize: 100 }));
      await allIn;
      // However long the run stays stalled, the cursor is not read on: sampled for a while.
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 20));
        const { rows } = await db.query<{ last_value: string }>(`SELECT last_value FROM "${seq}"`);
        // 50 in flight + the stream's buffer (one batch, 100) + one batch being fetched.
        expect(Number(rows[0]!.last_value)).toBeLessThanOrEqual(50 + 100 + 100);
      }
      expect(seen).toBe(50);
      release();
      const report = await c.stop();
      expect(await done).toBe(report);
      expect(report.ok).toBe(true);
    } finally {
      await db.query(`DROP SEQUENCE IF EXISTS "${seq}"`);
    }
  });

  it('an unreachable database fails the run with SOURCE_FAILED naming host:port, before any item is read', async () => {
    const where = await nowhere();
    const received: unknown[] = [];
    const c = new Consecutor(output('rows'), { outputs: { rows: received } });
    const error = await c.run(fromPostgres({ connection: where, query: 'SELECT 1 AS id' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining(`could not connect to PostgreSQL at 127.0.0.1:${where.port}`) });
    expect(received).toEqual([]);
  });

  it('a query PostgreSQL rejects, and a key that is not a column, fail the run with SOURCE_FAILED saying why', async () => {
    const name = await events(3);
    const bad = await collect({ query: `SELECT id FROM "${name}" WHERE nope = 1` }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('column "nope" does not exist') });
    const noKey = await collect({ query: `SELECT id, body FROM "${name}"`, key: 'ID' }).catch((e: unknown) => e);
    expect(noKey).toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining('column rows.ID does not exist') });
    const nullKey = await collect({ query: `SELECT NULLIF(id, 2) AS k FROM "${name}"`, key: 'k' }).catch((e: unknown) => e);
    expect(nullKey).toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining(`a row's key column "k" is null`) });
  });

  it('bad options throw OPTIONS_INVALID at once, showing the value', () => {
    expect(() => fromPostgres({ connection, query: '' })).toThrow(/query must be a non-empty SQL string, got string ""/);
    expect(() => fromPostgres({ connection, query: 'SELECT 1', batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, got number 0/);
    expect(() => fromPostgres({ connection: 5 as never, query: 'SELECT 1' })).toThrow(/connection must be a connection string or a pg config object, got number 5/);
    expect(() => fromPostgres({ connection, query: 'SELECT 1', keys: 'id' } as never)).toThrow(/unknown fromPostgres\(\) option keys .*did you mean key\?/);
  });
});
