/**
 * One pipeline on two machines, joined by NATS JetStream: machine A parses orders and publishes
 * them; machine B (run it twice, or on two hosts) consumes them, enriches them and writes them to
 * PostgreSQL. Kill any copy of B with kill -9: the orders it held are redelivered to the other
 * after the ack wait, and written once (each row's key is the message's, the same in both copies).
 *
 *     npx tsx examples/two-machines.ts setup                            # once: the stream ORDERS, the table orders
 *     npx tsx examples/two-machines.ts enrich                           # machine B, in two terminals
 *     npx tsx examples/two-machines.ts enrich
 *     npx tsx examples/two-machines.ts parse examples/two-machines.ndjson   # machine A
 *
 * NATS from NATS_URL (default nats://127.0.0.1:4222); PostgreSQL from PGHOST, PGPORT, PGUSER,
 * PGDATABASE (default postgres@127.0.0.1:5432/test). `parse` ends with its file and prints its
 * report (a malformed or invalid order is dead-lettered to `two-machines.dead.ndjson`, with its
 * reason, and the exit code is then 1; the sample file has two such lines); `enrich` runs until Ctrl-C or SIGTERM: it stops reading, lets the orders in flight
 * settle, and leaves what it did not finish unacked, for the other copy.
 */
import { pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { pipe } from 'rxjs';
import { check, Consecutor, fromFile, fromNats, map, toFile, toNats, toPostgres, type NatsSource, type RunReport } from 'consecution';

/** An order as machine A reads it: one NDJSON line. */
export interface Order {
  readonly id: string;
  readonly customer: string;
  readonly country: Country;
  readonly lines: readonly { readonly sku: string; readonly qty: number; readonly cents: number }[];
}

/** An order as machine B stores it: what {@link enrich} makes of one. */
export interface OrderRow {
  readonly order_id: string;
  readonly customer: string;
  readonly country: Country;
  readonly items: number;
  readonly net_cents: number;
  readonly vat_cents: number;
  readonly enriched_by: string;
}

/** The countries taken, with their VAT rate. */
export const VAT = { DE: 0.19, FR: 0.2, NL: 0.21, IE: 0.23 } as const;
export type Country = keyof typeof VAT;

/** Where the two machines meet. */
export interface Place {
  /** @default process.env.NATS_URL ?? 'nats://127.0.0.1:4222' */
  readonly servers?: string;
  /** The JetStream stream; it holds the subjects `<stream>.>`. @default 'ORDERS' */
  readonly stream?: string;
  /** The PostgreSQL table. @default 'orders' */
  readonly table?: string;
  /** pg's connection. @default what pg takes from the PG* environment variables */
  readonly connection?: string | Record<string, unknown>;
}

const servers = (p: Place) => p.servers ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const streamOf = (p: Place) => p.stream ?? 'ORDERS';
/** The subject machine A publishes the parsed orders to. */
export const parsedSubject = (p: Place) => `${streamOf(p)}.parsed`;

/** Whether a line is an order: an id, a customer, a known country, lines of positive qty and cents. */
export function isOrder(v: unknown): v is Order {
  const o = v as Partial<Order> | null;
  return (
    o !== null &&
    typeof o === 'object' &&
    typeof o.id === 'string' &&
    typeof o.customer === 'string' &&
    typeof o.country === 'string' &&
    Object.hasOwn(VAT, o.country) &&
    Array.isArray(o.lines) &&
    o.lines.length > 0 &&
    o.lines.every((l) => typeof l?.sku === 'string' && Number.isInteger(l.qty) && l.qty > 0 && Number.isInteger(l.cents) && l.cents > 0)
  );
}

/** The row of an order: its item count, net total and VAT, and which copy of B made it. */
export function enrich(o: Order, by: string): OrderRow {
  const net = o.lines.reduce((sum, l) => sum + l.qty * l.cents, 0);
  const items = o.lines.reduce((sum, l) => sum + l.qty, 0);
  return { order_id: o.id, customer: o.customer, country: o.country, items, net_cents: net, vat_cents: Math.round(net * VAT[o.country]), enriched_by: by };
}

/** Creates the stream and the table when absent. */
export async function setup(place: Place = {}): Promise<void> {
  const nc = await connect({ servers: servers(place) });
  try {
    const jsm = await jetstreamManager(nc);
    const name = streamOf(place);
    await jsm.streams.info(name).catch(() => jsm.streams.add({ name, subjects: [`${name}.>`] }));
  } finally {
    await nc.close();
  }
  const db = new pg.Client(place.connection ?? {});
  await db.connect();
  try {
    await db.query(`CREATE TABLE IF NOT EXISTS "${place.table ?? 'orders'}" (
      order_id text NOT NULL, customer text NOT NULL, country text NOT NULL, items int NOT NULL,
      net_cents bigint NOT NULL, vat_cents bigint NOT NULL, enriched_by text NOT NULL, key text PRIMARY KEY)`);
  } finally {
    await db.end();
  }
}

/** Machine A: the orders of an NDJSON file, checked, published to NATS (each with its idempotency key as Nats-Msg-Id). */
export function parse(file: string, place: Place = {}, deadLetters = 'two-machines.dead.ndjson'): Promise<RunReport> {
  const pipeline = pipe(
    check(isOrder, 'an order needs an id, a customer, a country among DE, FR, NL, IE, and lines of integer qty and cents > 0'),
    map((o: unknown) => o as Order), // only orders pass the check
  );
  return new Consecutor(pipeline, {
    guarantee: 'replay',
    outputs: { default: toNats<Order>({ servers: servers(place), subject: parsedSubject(place) }), deadLetter: toFile(deadLetters) },
  }).run(fromFile(file, { format: 'ndjson' }));
}

/** One copy of machine B: consumes the parsed orders (durable consumer `enrich`, shared by every copy), writes each as a row once. */
export function enricher(who: string, place: Place = {}): { consecutor: Consecutor<Order, OrderRow>; source: NatsSource<Order>; done: Promise<RunReport> } {
  const source = fromNats<Order>({ servers: servers(place), stream: streamOf(place), consumer: 'enrich', subject: parsedSubject(place), ackWaitMs: 10_000 });
  const consecutor = new Consecutor(
    map('enrich', (o: Order) => enrich(o, who)),
    { guarantee: 'replay', maxPending: 200, outputs: { default: toPostgres<OrderRow>({ connection: place.connection ?? {}, table: place.table ?? 'orders', keyColumn: 'key' }) } },
  );
  return { consecutor, source, done: consecutor.run(source) };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [role, arg] = process.argv.slice(2);
  // ORDERS_STREAM and ORDERS_TABLE name another stream and table (the example's test uses its own).
  const env = process.env;
  const place: Place = { ...(env.ORDERS_STREAM === undefined ? {} : { stream: env.ORDERS_STREAM }), ...(env.ORDERS_TABLE === undefined ? {} : { table: env.ORDERS_TABLE }) };
  if (role === 'setup') {
    await setup(place);
    console.log(`stream ${streamOf(place)} and table ${place.table ?? 'orders'} ready`);
  } else if (role === 'parse' && arg !== undefined) {
    const report = await parse(arg, place);
    console.log(`parsed: ${report.completed} orders published to ${parsedSubject(place)}, ${report.deadLettered} dead-lettered`);
    process.exitCode = report.ok ? 0 : 1;
  } else if (role === 'enrich') {
    const who = arg ?? `enrich-${process.pid}`;
    const { consecutor, source, done } = enricher(who, place);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void consecutor.stop());
    console.log(`${who}: consuming ${parsedSubject(place)}`);
    const report = await done;
    console.log(`${who}: stopped, ${report.completed} orders written, ${source.redelivered} redelivered to it`);
  } else {
    console.error('usage: two-machines.ts setup | parse FILE | enrich [NAME]');
    process.exitCode = 2;
  }
}
