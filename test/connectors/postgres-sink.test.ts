// toPostgres against the real server: one multi-row INSERT per batch in one transaction (counted
// on the client and seen on the server as one xmin per transaction), idempotent keys, bad values
// failing alone, an unreachable database or a missing table failing the run before any read.
import pg from 'pg';
import { pipe } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { broadcast, Consecutor, map, node, output, toPostgres, type WriteMeta } from 'consecution';
import { admin, connection, nowhere, server, table, uniqueName } from './postgres-db.js';
import { skip } from './services.js';

/** The SQL texts every pg client of this process sent (the sink's pool among them). */
const sent: string[] = [];
const query = pg.Client.prototype.query;
beforeEach(() => {
  sent.length = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (typeof args[0] === 'string') sent.push(args[0]);
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
});
afterEach(() => {
  pg.Client.prototype.query = query;
});

// The INSERTs of rows (open()'s check is an INSERT ... SELECT that inserts nothing).
const inserts = (name: string) => sent.filter((s) => s.startsWith(`INSERT INTO "${name}" `) && s.includes(' VALUES '));
const meta = (key: string): WriteMeta => ({ key, root: 0, attempt: 0 });

/** The number of transactions that wrote the table's rows: rows inserted in one share its xmin. */
async function transactions(db: pg.Client, name: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(DISTINCT xmin::text) AS n FROM "${name}"`);
  return Number(rows[0]!.n);
}

/**
 * The connections of `application_name`, once none is left or 10 s passed: a backend leaves
 * pg_stat_activity a moment after its client closed the socket.
 */
async function connectionsLeft(db: pg.Client, application_name: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [application_name]);
    if (rows[0]!.n === '0' || Date.now() > deadline) return Number(rows[0]!.n);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function count(db: pg.Client, name: string): Promise<number> {
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}"`)).rows[0]!.n);
}

describe.skipIf(skip(server))('toPostgres', () => {
  it('writes each batch as one multi-row INSERT in one transaction, each append confirmed with its batch', async () => {
    const db = await admin();
    const name = await table(db, 'people', 'id int, name text, key text UNIQUE');
    const people = toPostgres({ connection, table: name, keyColumn: 'key', batchSize: 4 });
    await people.open();
    await Promise.all(Array.from({ length: 10 }, (_, i) => people.append({ id: i, name: `p${i}` }, meta(`k${i}`))));
    await people.close();
    expect(inserts(name).map((s) => s.match(/\(\$\d+, \$\d+, \$\d+\)/g)!.length)).toEqual([4, 4, 2]);
    expect(inserts(name)[0]).toBe(`INSERT INTO "${name}" ("id", "name", "key") VALUES ($1, $2, $3), ($4, $5, $6), ($7, $8, $9), ($10, $11, $12) ON CONFLICT ("key") DO NOTHING`);
    expect(await transactions(db, name)).toBe(3);
    const { rows } = await db.query(`SELECT id, name, key FROM "${name}" ORDER BY id`);
    expect(rows).toEqual(Array.from({ length: 10 }, (_, i) => ({ id: i, name: `p${i}`, key: `k${i}` })));
  });

  it('in a run, every row lands once with its key, and the INSERTs are as many as the transactions', async () => {
    const db = await admin();
    const name = await table(db, 'numbers', 'n int NOT NULL, square int NOT NULL, key text PRIMARY KEY');
    const c = new Consecutor(pipe(map((n: number) => ({ n, square: n * n })), output('rows')), {
      outputs: { rows: toPostgres({ connection, table: name, keyColumn: 'key', batchSize: 100 }) },
    });
    const report = await c.run(Array.from({ length: 2000 }, (_, i) => i));
    expect(report).toMatchObject({ ok: true, completed: 2000 });
    expect(await count(db, name)).toBe(2000);
    expect(Number((await db.query(`SELECT sum(square) AS s FROM "${name}"`)).rows[0].s)).toBe(Array.from({ length: 2000 }, (_, i) => i * i).reduce((a, b) => a + b));
    expect(inserts(name).length).toBe(await transactions(db, name));
    expect(inserts(name).length).toBeGreaterThanOrEqual(20);
  });

  it("splits a batch past PostgreSQL's 65,535 parameters into several INSERTs of one transaction", async () => {
    const db = await admin();
    const cols = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const name = await table(db, 'wide', `${cols.map((c) => `${c} int`).join(', ')}, key text UNIQUE`);
    const wide = toPostgres({ connection, table: name, keyColumn: 'key', batchSize: 7000 });
    await wide.open();
    const row = Object.fromEntries(cols.map((c, i) => [c, i]));
    await Promise.all(Array.from({ length: 7000 }, (_, i) => wide.append(row, meta(`k${i}`))));
    await wide.close();
    // 11 parameters a row: 5957 rows make 65,527, within the limit.
    expect(inserts(name).map((s) => s.split('), (').length)).toEqual([5957, 1043]);
    expect(await count(db, name)).toBe(7000);
    expect(await transactions(db, name)).toBe(1);
  });

  it('with keyColumn, a key written before is skipped: in the same batch, a later batch, or a later sink', async () => {
    const db = await admin();
    const name = await table(db, 'once', 'v int, key text PRIMARY KEY');
    const first = toPostgres({ connection, table: name, keyColumn: 'key' });
    await first.open();
    await Promise.all([first.append({ v: 1 }, meta('a')), first.append({ v: 2 }, meta('a')), first.append({ v: 3 }, meta('b'))]);
    await first.append({ v: 4 }, meta('b'));
    await first.close();
    const again = toPostgres({ connection, table: name, keyColumn: 'key' });
    await again.open();
    await again.append({ v: 5 }, meta('a'));
    await again.close();
    expect((await db.query(`SELECT key, v FROM "${name}" ORDER BY key`)).rows).toEqual([{ key: 'a', v: 1 }, { key: 'b', v: 3 }]);
  });

  it('a replayed item (a node failing transiently beside the sink) leaves one row per key', async () => {
    const db = await admin();
    const name = await table(db, 'replayed', 'n int, key text PRIMARY KEY');
    const rows = toPostgres<{ n: number }>({ connection, table: name, keyColumn: 'key' });
    let appends = 0;
    const counted = { open: () => rows.open(), close: () => rows.close(), append: (v: { n: number }, m: WriteMeta) => (appends++, rows.append(v, m)) };
    const failedOnce = new Set<number>();
    const flaky = node('flaky', {
      process(x: { n: number }) {
        if (x.n % 3 === 0 && !failedOnce.has(x.n)) {
          failedOnce.add(x.n);
          throw new Error(`transient failure of ${x.n}`);
        }
      },
    });
    const c = new Consecutor(pipe(map((n: number) => ({ n })), broadcast(output('rows'), flaky)), {
      guarantee: 'replay',
      retries: 3,
      outputs: { rows: counted },
    });
    const report = await c.run(Array.from({ length: 300 }, (_, i) => i));
    expect(report).toMatchObject({ ok: true, completed: 300 });
    expect(report.retried).toBe(100);
    expect(appends).toBe(400); // the replayed items were written again...
    expect(await count(db, name)).toBe(300); // ...and made no second row
    expect((await db.query(`SELECT count(DISTINCT n) AS n FROM "${name}"`)).rows[0].n).toBe('300');
  });

  it('a connection killed by the server mid-run fails its batch, which is replayed on a new connection: one row per key', async () => {
    const db = await admin();
    const name = await table(db, 'severed', 'n int NOT NULL, key text PRIMARY KEY');
    const application_name = `severed-${name}`;
    let severed = 0;
    const sever = node('sever', {
      async process(n: number) {
        if (n % 500 === 250) {
          const { rows } = await db.query(`SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1`, [application_name]);
          severed += Number(rows[0].n);
        }
        return { n };
      },
    });
    const c = new Consecutor(pipe(sever, output('rows')), {
      guarantee: 'replay',
      retries: 5,
      maxPending: 200,
      outputs: { rows: toPostgres({ connection: { ...connection, application_name }, table: name, keyColumn: 'key', batchSize: 50 }) },
    });
    const report = await c.run(Array.from({ length: 2000 }, (_, i) => i));
    expect(severed).toBeGreaterThanOrEqual(4);
    expect(report).toMatchObject({ ok: true, completed: 2000 });
    expect(await count(db, name)).toBe(2000);
    expect((await db.query(`SELECT count(DISTINCT n) AS n FROM "${name}"`)).rows[0].n).toBe('2000');
  });

  it('a bad value fails alone, with a clear error; the rest of its batch goes in', async () => {
    const db = await admin();
    const name = await table(db, 'checked', 'id int NOT NULL, name text, key text UNIQUE');
    const sink = toPostgres<Record<string, unknown>>({ connection, table: name, columns: ['id', 'name'], keyColumn: 'key' });
    await sink.open();
    const values: unknown[] = [{ id: 1, name: 'a' }, 42, { id: 2 }, { id: 'three', name: 'c' }, { id: null, name: 'd' }, { id: 5, name: 'e', extra: true }];
    const outcomes = await Promise.allSettled(values.map((v, i) => sink.append(v as Record<string, unknown>, meta(`k${i}`))));
    await sink.close();
    const why = outcomes.map((o) => (o.status === 'fulfilled' ? 'ok' : `${(o.reason as { code: string }).code}: ${(o.reason as Error).message}`));
    expect(why).toEqual([
      'ok',
      `BAD_INPUT: toPostgres(${name}): expected an object whose fields are the columns, got number 42`,
      `BAD_INPUT: toPostgres(${name}): the value has no field "name" (columns: id, name): {"id":2}`,
      `OUTPUT_FAILED: toPostgres(${name}): PostgreSQL refused the row: invalid input syntax for type integer: "three"`,
      `OUTPUT_FAILED: toPostgres(${name}): PostgreSQL refused the row: null value in column "id" of relation "${name}" violates not-null constraint`,
      'ok', // explicit columns: the other fields are left out
    ]);
    // None of them can succeed when tried again: the run dead-letters them without replays.
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { retryable: boolean }).retryable : 'ok'))).toEqual(['ok', false, false, false, false, 'ok']);
    expect((await db.query(`SELECT id, name FROM "${name}" ORDER BY id`)).rows).toEqual([{ id: 1, name: 'a' }, { id: 5, name: 'e' }]);
  });

  it('in a run, bad values are dead-lettered with their error and the good ones written', async () => {
    const db = await admin();
    const name = await table(db, 'inferred', 'id int NOT NULL, name text');
    const dead: unknown[] = [];
    const c = new Consecutor(output('rows'), { outputs: { rows: toPostgres({ connection, table: name }), deadLetter: dead } });
    const report = await c.run([{ id: 1, name: 'a' }, { id: 2, name: 'b', age: 3 }, 'x', { id: 'x', name: 'c' }, { id: 4, name: 'd' }]);
    expect(report).toMatchObject({ completed: 2, deadLettered: 3 });
    expect(report.failures.map((f) => f.error.message)).toEqual([
      expect.stringContaining('has a field "age" that is not among the columns taken from the first value (id, name)'),
      expect.stringContaining('got string "x"'),
      expect.stringContaining('invalid input syntax for type integer'),
    ]);
    expect(dead).toHaveLength(3);
    expect((await db.query(`SELECT id FROM "${name}" ORDER BY id`)).rows).toEqual([{ id: 1 }, { id: 4 }]);
  });

  it('quotes identifiers and sends values as parameters: any name and any text go in as written', async () => {
    const db = await admin();
    const name = uniqueName('Odd "Name"');
    const quoted = `"${name.replaceAll('"', '""')}"`;
    await db.query(`CREATE TABLE ${quoted} ("order" int, "Weird Col" text)`);
    onTestFinished(async () => {
      await db.query(`DROP TABLE ${quoted}`);
    });
    const sink = toPostgres({ connection, table: `public.${name}`, columns: ['order', 'Weird Col'] });
    await sink.open();
    await sink.append({ order: 1, 'Weird Col': `'); DROP TABLE ${quoted}; --` }, meta('x'));
    await sink.close();
    expect((await db.query(`SELECT * FROM ${quoted}`)).rows).toEqual([{ order: 1, 'Weird Col': `'); DROP TABLE ${quoted}; --` }]);
  });

  it('an unreachable database fails the run at open() with OUTPUT_FAILED naming host:port, before any item is read', async () => {
    const where = await nowhere();
    let read = 0;
    function* items(): Generator<object> {
      for (;;) yield { n: read++ };
    }
    const c = new Consecutor(output('rows'), { outputs: { rows: toPostgres({ connection: where, table: 'anything' }) } });
    const error = await c.run(items()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'OUTPUT_FAILED',
      node: 'rows',
      message: expect.stringContaining(`output "rows" failed to open: toPostgres could not connect to PostgreSQL at 127.0.0.1:${where.port}`),
    });
    expect(read).toBe(0);
  });

  it('a missing table, or a keyColumn without a unique constraint, fails the run at open()', async () => {
    const db = await admin();
    const name = await table(db, 'nokey', 'v int, key text');
    const application_name = `open-failed-${name}`;
    const open = (options: Parameters<typeof toPostgres>[0]) =>
      new Consecutor(output('rows'), { outputs: { rows: toPostgres({ ...options, connection: { ...connection, application_name } }) } })
        .run([{ v: 1 }])
        .catch((e: unknown) => e);
    expect(await open({ connection, table: `${name}_gone` })).toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining(`relation "${name}_gone" does not exist`) });
    expect(await open({ connection, table: name, keyColumn: 'key' })).toMatchObject({
      code: 'OUTPUT_FAILED',
      message: expect.stringContaining('there is no unique or exclusion constraint matching the ON CONFLICT specification'),
    });
    expect(await open({ connection, table: name, columns: ['v', 'w'] })).toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining('column "w" of relation') });
    expect(await count(db, name)).toBe(0);
    // A target whose open() failed is not closed by the run: it ended its connections itself.
    expect(await connectionsLeft(db, application_name)).toBe(0);
  });

  it('close() ends its connections', async () => {
    const db = await admin();
    const name = await table(db, 'closing', 'v int');
    const application_name = `consecution-close-${name}`;
    const sink = toPostgres({ connection: { ...connection, application_name }, table: name });
    await sink.open();
    await Promise.all([sink.append({ v: 1 }), sink.append({ v: 2 })]);
    const { rows } = await db.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1`, [application_name]);
    expect(Number(rows[0].n)).toBeGreaterThan(0);
    await sink.close();
    expect(await connectionsLeft(db, application_name)).toBe(0);
  });

  it('bad options throw OPTIONS_INVALID at once, showing the value', () => {
    expect(() => toPostgres({ connection, table: '' })).toThrow(/table must be a table name \('events' or 'schema.events'\), got string ""/);
    expect(() => toPostgres({ connection, table: 't', columns: [] })).toThrow(/columns must be a non-empty array of distinct column names, got array \[\]/);
    expect(() => toPostgres({ connection, table: 't', columns: ['a', 'k'], keyColumn: 'k' })).toThrow(/columns must be columns without keyColumn "k"/);
    expect(() => toPostgres({ connection, table: 't', batchSize: 1.5 })).toThrow(/batchSize must be an integer >= 1, got number 1.5/);
    expect(() => toPostgres({ connection, table: 't', key: 'k' } as never)).toThrow(/unknown toPostgres\(\) option key \("k"\); known options: connection, table, columns, keyColumn, batchSize/);
  });
});
