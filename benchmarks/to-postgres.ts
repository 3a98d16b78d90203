// TO-POSTGRES: 100,000 rows `{ n, label }` written to a fresh PostgreSQL table with their
// idempotency keys, in batches of 1,000: by toPostgres under guarantee 'replay' (each row confirmed
// when its batch's transaction committed), beside pg alone doing the same thing by hand, in the
// same process: BEGIN, one multi-row INSERT ... ON CONFLICT (key) DO NOTHING of 1,000 rows, COMMIT.
// Also toPostgres appended to directly (the sink's own cost) and under guarantee 'none'.
// Both count the rows in the table at the end; that count is the result checked.
// The server: PGHOST, PGPORT, PGUSER, PGDATABASE (default postgres@127.0.0.1:5432/test).
import pg from 'pg';
import { pipe } from 'rxjs';
import { Consecutor, map, output, toPostgres } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { integers } from './lib.js';

const N = 100_000;
const BATCH = 1_000;
// Rows in flight: the batch being written and the next one filling.
const AHEAD = 2 * BATCH;

const connection = {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

let tables = 0;

/** Runs `fn` on a fresh table (n int, label text, key text PRIMARY KEY); resolves to its row count after. */
async function withTable(fn: (table: string) => Promise<void>): Promise<number> {
  const db = new pg.Client(connection);
  await db.connect();
  const table = `bench_to_postgres_${process.pid}_${++tables}`;
  try {
    await db.query(`CREATE TABLE "${table}" (n int NOT NULL, label text NOT NULL, key text PRIMARY KEY)`);
    await fn(table);
    return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);
  } finally {
    await db.query(`DROP TABLE IF EXISTS "${table}"`);
    await db.end();
  }
}

const row = (n: number) => ({ n, label: `row ${n}` });
// A key like the ones toPostgres gets (`<store scope><lineage id>:<edge>`).
const keyOf = (n: number) => `q3Zr-k9A.${n}:0000000000000001`;

function insertText(table: string, rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) tuples.push(`($${r * 3 + 1}, $${r * 3 + 2}, $${r * 3 + 3})`);
  return `INSERT INTO "${table}" ("n", "label", "key") VALUES ${tuples.join(', ')} ON CONFLICT ("key") DO NOTHING`;
}

/** The run: map to a row, write it with toPostgres; the report must be clean. */
function run(guarantee: 'none' | 'replay'): Variant {
  return {
    name: `consecution ${guarantee} → toPostgres`,
    run: (input) =>
      withTable(async (table) => {
        const c = new Consecutor(pipe(map(row), output('rows')), {
          guarantee,
          maxPending: AHEAD,
          outputs: { rows: toPostgres({ connection, table, keyColumn: 'key', batchSize: BATCH }) },
        });
        const report = await c.run(input);
        if (!report.ok || report.completed !== input.length) throw new Error(`unclean report: ${JSON.stringify(report)}`);
      }),
  };
}

export const toPostgresScenario: Scenario = {
  id: 'to-postgres',
  title: 'rows into PostgreSQL, batches of 1,000 with idempotency keys',
  items: N,
  input: () => integers(N),
  expected: (input) => input.length,
  baselines: ['pg'],
  runs: 5,
  warmup: 1,
  variants: [
    {
      name: 'raw pg: BEGIN, INSERT of 1,000 rows, COMMIT',
      baseline: 'pg',
      run: (input) =>
        withTable(async (table) => {
          const client = new pg.Client(connection);
          await client.connect();
          try {
            for (let from = 0; from < input.length; from += BATCH) {
              const to = Math.min(from + BATCH, input.length);
              const params: unknown[] = [];
              for (let i = from; i < to; i++) {
                const r = row(input[i]!);
                params.push(r.n, r.label, keyOf(input[i]!));
              }
              await client.query('BEGIN');
              await client.query(insertText(table, to - from), params);
              await client.query('COMMIT');
            }
          } finally {
            await client.end();
          }
        }),
    },
    {
      // The sink's own cost, without a run: appends made two batches at a time, as maxPending allows in the runs.
      name: 'toPostgres alone (append, no run)',
      run: (input) =>
        withTable(async (table) => {
          const sink = toPostgres({ connection, table, keyColumn: 'key', batchSize: BATCH });
          await sink.open();
          for (let from = 0; from < input.length; from += AHEAD) {
            const confirmed: Promise<void>[] = [];
            for (let i = from; i < Math.min(from + AHEAD, input.length); i++) confirmed.push(sink.append(row(input[i]!), { key: keyOf(input[i]!), root: i, attempt: 0 }));
            await Promise.all(confirmed);
          }
          await sink.close();
        }),
    },
    run('none'),
    run('replay'),
  ],
  targets: [{ variant: 'consecution replay → toPostgres', baseline: 'pg', min: 0.8 }],
};
