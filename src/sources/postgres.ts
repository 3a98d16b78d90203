import { checkConnection, connectFailed, pgTarget, quoteIdent, type PgClient, type PostgresConnection } from '../connectors/postgres.js';
import { loadOptional } from '../connectors/optional.js';
import { ConsecutionError, preview, previewTyped } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import type { Source, SourceReader } from './source.js';

/** Options of {@link fromPostgres}. */
export interface PostgresSourceOptions {
  /** Where to connect (see {@link PostgresConnection}). */
  readonly connection: PostgresConnection;
  /**
   * The query whose rows are the items, with `$1`, `$2`... for `params`. With `key`, write it
   * without ORDER BY or LIMIT (`SELECT id, body FROM events WHERE kind = $1`): the source wraps it
   * as `SELECT * FROM (query) WHERE key > $last ORDER BY key LIMIT batchSize`.
   */
  readonly query: string;
  /** The values of the query's `$1`, `$2`... @default [] */
  readonly params?: readonly unknown[];
  /**
   * A column of the query's rows that is unique and never null (a primary key, a serial, a
   * timestamp with a tie-breaker folded in): the query is read in keyset pages ordered by it, and
   * each item's position is its key, so a durable run restarted on its store resumes after the last
   * key it journaled. An index on it keeps each page one index range scan.
   */
  readonly key?: string;
  /** Rows fetched per round trip: the cursor's batch, or the keyset page. @default 500 */
  readonly batchSize?: number;
  /** The source's name in errors. @default 'postgres' */
  readonly name?: string;
}

type Row = Record<string, unknown>;

/** pg-query-stream's class, as the source uses it. */
type QueryStreamClass = new (text: string, values: readonly unknown[], config: { batchSize: number }) => AsyncIterable<Row> & {
  destroy(): void;
};

const KNOWN = ['connection', 'query', 'params', 'key', 'batchSize', 'name'];

/**
 * A source of the rows of a PostgreSQL query (pg and pg-query-stream, loaded when the run opens
 * it: `npm install pg pg-query-stream`). Rows are fetched `batchSize` at a time, only as the run
 * pulls them, so a query of millions of rows holds a few batches in memory.
 *
 * Without `key` the rows come from one cursor; an item's position is its row number (from 0), and a
 * durable run restarted on its store skips the rows it journaled (`OFFSET`), which is right only if
 * the query gives the same rows in the same order again (ORDER BY a unique column). With `key` the
 * query is read in keyset pages (`WHERE key > $last ORDER BY key`), and a restart resumes after the
 * last key journaled: rows inserted meanwhile with a higher key are read too.
 *
 * A database that cannot be reached fails the run with `SOURCE_FAILED` naming host:port before any
 * row is read; so does a query PostgreSQL rejects, or a row whose key is null. A connection lost
 * mid-run fails the run too (it does not reconnect): restarted on its store, a durable run goes on
 * after the last row it journaled.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<{ id: number; body: string }, unknown>;
 * const events = fromPostgres<{ id: number; body: string }>({
 *   connection: 'postgres://postgres@127.0.0.1:5432/test',
 *   query: 'SELECT id, body FROM events WHERE kind = $1',
 *   params: ['click'],
 *   key: 'id',
 * });
 * await new Consecutor(pipeline, { guarantee: 'replay', store: { path: './state' } }).run(events);
 * ```
 */
export function fromPostgres<T extends object = Row>(options: PostgresSourceOptions): Source<T> {
  const o = checkOptions(options);
  return {
    name: o.name,
    open: (after?: unknown) => (o.key === undefined ? new CursorReader(o, after) : new KeysetReader(o, o.key, after)) as unknown as SourceReader<T>,
  };
}

interface Checked {
  readonly connection: PostgresConnection;
  readonly query: string;
  readonly params: readonly unknown[];
  readonly key: string | undefined;
  readonly batchSize: number;
  readonly name: string;
}

function checkOptions(options: PostgresSourceOptions): Checked {
  if (options === null || typeof options !== 'object') {
    throw new ConsecutionError('OPTIONS_INVALID', `fromPostgres(): expected an options object, got ${previewTyped(options)}`);
  }
  rejectUnknown('fromPostgres()', options, KNOWN);
  const r = optionReader(options, (k) => `fromPostgres(): ${k}`);
  const { query, params = [], key, name = 'postgres' } = options;
  if (typeof query !== 'string' || query.trim() === '') r.bad('query', 'a non-empty SQL string', query);
  if (!Array.isArray(params)) r.bad('params', 'an array', params);
  if (key !== undefined && (typeof key !== 'string' || key === '')) r.bad('key', 'a column name', key);
  if (typeof name !== 'string' || name === '') r.bad('name', 'a non-empty string', name);
  return {
    connection: checkConnection('fromPostgres', options.connection),
    // A trailing semicolon would end the subquery the source wraps the query in.
    query: query.replace(/[\s;]+$/, ''),
    params,
    key,
    batchSize: r.integer('batchSize', 1, 500),
    name,
  };
}

/** What both readers share: one connection, made on the first read, ended on close. */
abstract class PostgresReader implements SourceReader<Row> {
  abstract position: unknown;
  readonly error = undefined;
  protected client: PgClient | undefined;
  private connecting: Promise<PgClient> | undefined;
  protected closed = false;

  constructor(protected readonly o: Checked) {}

  abstract read(): IteratorResult<Row, unknown> | Promise<IteratorResult<Row, unknown>>;

  protected connect(): Promise<PgClient> {
    this.connecting ??= (async () => {
      const { pg, config, where } = await pgTarget(this.o.connection, 'fromPostgres');
      const client = new pg.Client(config);
      // A connection lost mid-run fails the query in progress; this keeps the event from crashing the process.
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (e) {
        throw connectFailed('fromPostgres', where, e);
      }
      this.client = client;
      if (this.closed) await client.end();
      return client;
    })();
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.release();
    await this.client?.end().catch(() => {});
  }

  protected async release(): Promise<void> {}
}

/** Without a key: one cursor over the query (pg-query-stream), its position the row number. */
class CursorReader extends PostgresReader {
  position: number;
  private rows: (AsyncIterator<Row> & { destroy?: () => void }) | undefined;
  private stream: { destroy(): void } | undefined;

  constructor(o: Checked, after: unknown) {
    super(o);
    this.position = typeof after === 'number' && Number.isSafeInteger(after) && after >= 0 ? after : -1;
  }

  async read(): Promise<IteratorResult<Row, unknown>> {
    this.rows ??= await this.open();
    const r = await this.rows.next();
    if (r.done !== true) this.position++;
    return r;
  }

  private async open(): Promise<AsyncIterator<Row>> {
    const QueryStream = (await loadOptional<{ default: QueryStreamClass }>('pg-query-stream', 'fromPostgres')).default;
    const client = await this.connect();
    const skip = this.position + 1;
    const { query, params, batchSize } = this.o;
    const text = skip === 0 ? query : `SELECT * FROM (${query}) AS rows OFFSET ${skip}`;
    const stream = client.query(new QueryStream(text, params, { batchSize }));
    this.stream = stream;
    return stream[Symbol.asyncIterator]();
  }

  protected override async release(): Promise<void> {
    this.stream?.destroy();
  }
}

/** With a key: keyset pages ordered by it, each item's position its key. */
class KeysetReader extends PostgresReader {
  position: unknown;
  private page: Row[] = [];
  private next = 0;
  private ended = false;
  private readonly first: string;
  private readonly after: string;

  constructor(o: Checked, private readonly keyColumn: string, after: unknown) {
    super(o);
    this.position = after;
    const k = `rows.${quoteIdent(keyColumn)}`;
    const limit = `ORDER BY ${k} LIMIT ${o.batchSize}`;
    this.first = `SELECT * FROM (${o.query}) AS rows ${limit}`;
    this.after = `SELECT * FROM (${o.query}) AS rows WHERE ${k} > $${o.params.length + 1} ${limit}`;
  }

  read(): IteratorResult<Row, unknown> | Promise<IteratorResult<Row, unknown>> {
    if (this.next < this.page.length) return this.take();
    if (this.ended) return { done: true, value: undefined };
    return this.fetch().then(() => (this.next < this.page.length ? this.take() : { done: true, value: undefined }));
  }

  private take(): IteratorResult<Row, unknown> {
    const row = this.page[this.next++]!;
    const key = row[this.keyColumn];
    if (key === null || key === undefined) {
      throw new ConsecutionError(
        'SOURCE_FAILED',
        key === null
          ? `fromPostgres(): a row's key column "${this.keyColumn}" is null (the key must be unique and never null): ${preview(row)}`
          : `fromPostgres(): key "${this.keyColumn}" is not a column of the query's rows: ${preview(row)}`,
      );
    }
    this.position = key;
    return { done: false, value: row };
  }

  private async fetch(): Promise<void> {
    const client = await this.connect();
    const { params, batchSize } = this.o;
    const resumed = this.position !== undefined;
    const { rows } = await client.query(resumed ? this.after : this.first, resumed ? [...params, this.position] : params);
    this.page = rows;
    this.next = 0;
    this.ended = rows.length < batchSize;
  }
}
