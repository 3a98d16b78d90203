/**
 * Payments posted over HTTP as NDJSON, validated, enriched and written to PostgreSQL, once each.
 *
 * `fromHttp` answers `202 { ids }` once every line of a request is journaled in the LMDB store, so
 * an answered payment survives a kill -9. Each payment is checked (`check`: a bad line is
 * dead-lettered at once, with its reason, to `dead.ndjson` by `toFile`), enriched (amount in cents,
 * and in euro cents at fixed rates), and inserted by `toPostgres` with its idempotency key in the
 * `key` column: a payment replayed after a failure or a restart makes no second row. A request
 * repeated with the same `Idempotency-Key` header is answered as the first time and admits
 * nothing again.
 *
 * Run it with `npx tsx examples/http-to-postgres.ts [dir]` (its store and dead letters go to `dir`,
 * by default ./http-to-postgres; PostgreSQL from PGHOST, PGPORT, PGUSER, PGDATABASE, by default
 * postgres@127.0.0.1:5432/test; the table `payments` is created if need be), then post payments:
 *
 *     printf '%s\n' '{"id":"p1","user":"ada","amount":12.5,"currency":"USD"}' '{"id":"p2","user":"bob","amount":-3,"currency":"EUR"}' \
 *       | curl --data-binary @- -H 'Idempotency-Key: batch-1' http://127.0.0.1:8080/
 *
 * Ctrl-C stops it: it answers 503 to new requests, lets the payments in flight settle, and exits.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { pipe } from 'rxjs';
import { check, Consecutor, fromHttp, map, output, toFile, toPostgres, type HttpSource, type RunReport } from 'consecution';

/** A payment as posted. */
export interface Payment {
  readonly id: string;
  readonly user: string;
  readonly amount: number;
  readonly currency: Currency;
}

/** A payment as stored: what `enrich` makes of one. */
export interface PaymentRow {
  readonly payment_id: string;
  readonly user_name: string;
  readonly amount_cents: number;
  readonly currency: Currency;
  readonly eur_cents: number;
}

/** The currencies taken, with their rate to the euro. */
export const EUR_PER = { EUR: 1, USD: 0.92, GBP: 1.17, CHF: 1.05 } as const;
export type Currency = keyof typeof EUR_PER;

/** The table the payments go to; `key` takes each row's idempotency key. */
export function createTable(table: string): string {
  return `CREATE TABLE IF NOT EXISTS "${table}" (
    payment_id text NOT NULL, user_name text NOT NULL, amount_cents bigint NOT NULL, currency text NOT NULL,
    eur_cents bigint NOT NULL, key text PRIMARY KEY)`;
}

/** Whether a posted line is a payment: an id, a user, a positive finite amount, a known currency. */
export function isPayment(v: unknown): v is Payment {
  const p = v as Partial<Payment> | null;
  return (
    p !== null &&
    typeof p === 'object' &&
    typeof p.id === 'string' &&
    p.id !== '' &&
    typeof p.user === 'string' &&
    p.user !== '' &&
    typeof p.amount === 'number' &&
    Number.isFinite(p.amount) &&
    p.amount > 0 &&
    typeof p.currency === 'string' &&
    Object.hasOwn(EUR_PER, p.currency)
  );
}

/** The row of a payment: its amount in cents, and in euro cents. */
export function enrich(p: Payment): PaymentRow {
  const cents = Math.round(p.amount * 100);
  return { payment_id: p.id, user_name: p.user, amount_cents: cents, currency: p.currency, eur_cents: Math.round(cents * EUR_PER[p.currency]) };
}

export interface ServiceOptions {
  /** The port to listen on; 0 for any free one. @default 8080 */
  readonly port?: number;
  /** Where the store (`state/`) and the dead letters (`dead.ndjson`) go; created if need be. */
  readonly dir: string;
  /** @default 'payments' */
  readonly table?: string;
  /** pg's connection (a string or a config object). @default what pg takes from the PG* environment variables */
  readonly connection?: string | Record<string, unknown>;
}

export interface Service {
  readonly http: HttpSource<unknown>;
  readonly consecutor: Consecutor<unknown, unknown>;
  /** The run's report, once it is stopped. */
  readonly done: Promise<RunReport>;
}

/** Creates the table if need be and starts the service; `http.address()` says where it listens. */
export async function start(options: ServiceOptions): Promise<Service> {
  const dir = options.dir;
  const table = options.table ?? 'payments';
  const connection = options.connection ?? {};
  mkdirSync(dir, { recursive: true });
  const db = new pg.Client(connection);
  await db.connect();
  try {
    await db.query(createTable(table));
  } finally {
    await db.end();
  }

  const http = fromHttp({ port: options.port ?? 8080, format: 'ndjson' });
  const pipeline = pipe(
    check(isPayment, 'a payment needs an id, a user, an amount > 0 and a currency among EUR, USD, GBP, CHF'),
    map((p: unknown) => enrich(p as Payment)), // only payments pass the check
    output('payments'),
  );
  const consecutor = new Consecutor(pipeline, {
    guarantee: 'replay',
    store: { path: join(dir, 'state') },
    outputs: {
      payments: toPostgres<PaymentRow>({ connection, table, keyColumn: 'key' }),
      deadLetter: toFile(join(dir, 'dead.ndjson')),
    },
  });
  return { http, consecutor, done: consecutor.run(http) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const connection = { host: env.PGHOST ?? '127.0.0.1', port: Number(env.PGPORT ?? 5432), user: env.PGUSER ?? 'postgres', database: env.PGDATABASE ?? 'test' };
  const { http, consecutor, done } = await start({ dir: process.argv[2] ?? 'http-to-postgres', connection });
  console.log(`POST NDJSON payments to ${(await http.address()).href}`);
  process.once('SIGINT', () => void consecutor.stop());
  const report = await done;
  console.log(`stopped: ${report.completed} payments written, ${report.deadLettered} dead-lettered`);
}
