import { checkConnection, connectFailed, pgTarget, quoteIdent, type PgClient, type PgPool, type PostgresConnection } from '../connectors/postgres.js';
import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import type { WriteMeta } from '../outputs/meta.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import { GroupCommit } from './group-commit.js';
import { isRetryableRowError, isRowError, RowShape, type PendingRow } from './postgres-rows.js';

/** Options of {@link toPostgres}. */
export interface PostgresSinkOptions {
  /** Where to connect (see {@link PostgresConnection}). */
  readonly connection: PostgresConnection;
  /** The table, `name` or `schema.name`; each part is quoted, so it is taken as written. */
  readonly table: string;
  /**
   * The columns written, each from the value's field of the same name (other fields are left
   * out). @default the fields of the first value written; a later value with other fields fails
   */
  readonly columns?: readonly string[];
  /**
   * A column with a unique constraint that receives the item's idempotency key (`meta.key`): a
   * row whose key is there already is skipped (`ON CONFLICT (keyColumn) DO NOTHING`), so a
   * replayed or restarted item is written once. A text column (keys look like `42:00000000000000a3`).
   */
  readonly keyColumn?: string;
  /** The most rows in one transaction. @default 1000 */
  readonly batchSize?: number;
}

const KNOWN = ['connection', 'table', 'columns', 'keyColumn', 'batchSize'];

/**
 * A sink that inserts each value as a row of a PostgreSQL table (pg, loaded when the run opens
 * it: `npm install pg`). Appends that arrive while a batch is being written go together into the
 * next: one multi-row INSERT (several only past PostgreSQL's 65,535 parameters) in one
 * transaction; each append is confirmed when its batch's transaction committed. With `keyColumn`
 * the write is idempotent: the same item copy makes one row however often it is replayed.
 *
 * `open()` connects and checks that the table, the columns and the key's unique constraint are
 * there: an unreachable database (named by host:port) or a missing table fails the run with
 * `OUTPUT_FAILED` before any item is read. A value that is not an object, or lacks a column,
 * fails alone (`BAD_INPUT`) without reaching the database. A row PostgreSQL refuses for its data
 * (a bad number, a null in a NOT NULL column) fails alone too, not retryable but after a foreign
 * key violation: its batch is written again row by row, and the other rows go in. A batch that
 * fails otherwise (a lost connection) fails all its items, to be replayed; rows written one by one
 * before such a failure are written again then (once, with `keyColumn`). Values are sent as
 * parameters, never in the SQL text.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, { id: number; name: string }>;
 * // CREATE TABLE people (id int, name text, key text UNIQUE)
 * const people = toPostgres({ connection: 'postgres://postgres@127.0.0.1:5432/test', table: 'people', keyColumn: 'key' });
 * await new Consecutor(pipeline, { guarantee: 'replay', outputs: { people } }).run([1, 2, 3]);
 * ```
 */
export function toPostgres<T extends object = Record<string, unknown>>(options: PostgresSinkOptions): PostgresSink<T> {
  return new PostgresSink<T>(options);
}

/** The output target {@link toPostgres} makes (see there). */
export class PostgresSink<T> {
  private readonly connection: PostgresConnection;
  private readonly table: string;
  private readonly shape: RowShape;
  private readonly group: GroupCommit<PendingRow>;
  private pool: Promise<PgPool> | undefined;

  constructor(options: PostgresSinkOptions) {
    if (options === null || typeof options !== 'object') {
      throw new ConsecutionError('OPTIONS_INVALID', `toPostgres(): expected an options object, got ${previewTyped(options)}`);
    }
    rejectUnknown('toPostgres()', options, KNOWN);
    const r = optionReader(options, (k) => `toPostgres(): ${k}`);
    const { table, columns, keyColumn } = options;
    if (typeof table !== 'string' || table === '' || table.split('.').some((p) => p === '')) r.bad('table', "a table name ('events' or 'schema.events')", table);
    const isName = (c: unknown) => typeof c === 'string' && c !== '';
    if (columns !== undefined && (!Array.isArray(columns) || columns.length === 0 || !columns.every(isName) || new Set(columns).size < columns.length)) {
      r.bad('columns', 'a non-empty array of distinct column names', columns);
    }
    if (keyColumn !== undefined && !isName(keyColumn)) r.bad('keyColumn', 'a column name', keyColumn);
    if (keyColumn !== undefined && columns?.includes(keyColumn) === true) r.bad('columns', `columns without keyColumn "${keyColumn}" (it takes meta.key)`, columns);
    this.connection = checkConnection('toPostgres', options.connection);
    this.table = table;
    const tableSql = table.split('.').map(quoteIdent).join('.');
    this.shape = new RowShape(table, tableSql, columns, keyColumn);
    const batchSize = r.integer('batchSize', 1, 1000);
    this.group = new GroupCommit((batch) => this.commit(batch), batchSize);
  }

  /** Connects and checks the table; rejects naming host:port when the database cannot be reached. */
  async open(): Promise<void> {
    const client = await this.client();
    try {
      await client.query(this.shape.probe());
    } catch (e) {
      client.release?.();
      // The run does not close a target whose open() failed: its connections end here.
      await this.close();
      throw new Error(`table ${this.table} cannot take the rows: ${messageOf(e)}`, { cause: e });
    }
    client.release?.();
  }

  /** Resolves once the value's batch committed; rejects for this value alone when it is bad. */
  append(value: T, meta?: WriteMeta): Promise<void> {
    let row: PendingRow;
    try {
      row = this.shape.check(value, meta?.key);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.group.append(row).then(() => {
      if (row.failure !== undefined) throw row.failure;
    });
  }

  /** Waits for the writes in flight, then ends the connections. */
  async close(): Promise<void> {
    await this.group.drain();
    const pool = this.pool;
    this.pool = undefined;
    if (pool !== undefined) await (await pool.catch(() => undefined))?.end();
  }

  private async client(): Promise<PgClient> {
    const pool = await (this.pool ??= this.connect());
    return pool.connect();
  }

  /** The pool, once its first connection was made (kept for the first batch). */
  private async connect(): Promise<PgPool> {
    const { pg, config, where } = await pgTarget(this.connection, 'toPostgres');
    const pool = new pg.Pool(config);
    // A connection that breaks fails the query in progress (its batch is replayed), and the pool
    // drops it; the 'error' events it also emits, idle or checked out, must not crash the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    try {
      (await pool.connect()).release?.();
    } catch (e) {
      this.pool = undefined;
      await pool.end().catch(() => {});
      throw connectFailed('toPostgres', where, e);
    }
    return pool;
  }

  private async commit(batch: readonly PendingRow[]): Promise<void> {
    const client = await this.client();
    let broken: Error | undefined;
    try {
      await this.insert(client, batch);
    } catch (e) {
      await client.query('ROLLBACK').catch((x: Error) => (broken = x));
      if (broken !== undefined || !isRowError(e)) throw e;
      await this.rowByRow(client, batch);
    } finally {
      client.release?.(broken);
    }
  }

  /** One transaction: the batch in as few INSERTs as the parameter limit allows (one, mostly). */
  private async insert(client: PgClient, batch: readonly PendingRow[]): Promise<void> {
    const per = this.shape.rowsPerStatement;
    await client.query('BEGIN');
    for (let from = 0; from < batch.length; from += per) {
      const to = Math.min(from + per, batch.length);
      await client.query(this.shape.insert(to - from), this.shape.params(batch, from, to));
    }
    await client.query('COMMIT');
  }

  /** A batch PostgreSQL refused for a row's data: each row alone, the refused ones failed. */
  private async rowByRow(client: PgClient, batch: readonly PendingRow[]): Promise<void> {
    const one = this.shape.insert(1);
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i]!;
      try {
        await client.query(one, this.shape.params(batch, i, i + 1));
      } catch (e) {
        if (!isRowError(e)) throw e;
        row.failure = new ConsecutionError('OUTPUT_FAILED', `toPostgres(${this.table}): PostgreSQL refused the row: ${messageOf(e)}`, {
          cause: e,
          retryable: isRetryableRowError(e),
        });
      }
    }
  }
}
