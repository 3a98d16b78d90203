import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import { loadOptional } from './optional.js';

/**
 * Where a PostgreSQL connector connects: a connection string (`postgres://user@host:port/db`) or
 * the config object of pg's `Client` (`{ host, port, user, password, database, ssl, ... }`).
 * What it leaves out comes from the environment as pg reads it (PGHOST, PGPORT, PGUSER,
 * PGPASSWORD, PGDATABASE), then pg's defaults (localhost:5432).
 *
 * @example
 * ```ts
 * const local: PostgresConnection = 'postgres://postgres@127.0.0.1:5432/test';
 * const same: PostgresConnection = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
 * ```
 */
export type PostgresConnection = string | { readonly [option: string]: unknown };

/** The part of a pg query result the connectors read. */
export interface PgResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** The part of a pg `Client` (or a pool's client) the connectors use. */
export interface PgClient {
  connect(): Promise<unknown>;
  query(text: string, values?: readonly unknown[]): Promise<PgResult>;
  query<S>(submittable: S): S;
  end(): Promise<void>;
  release?(error?: Error | boolean): void;
  on(event: 'error', listener: (e: Error) => void): unknown;
}

/** The part of a pg `Pool` the sink uses. */
export interface PgPool {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (e: Error) => void): unknown;
  on(event: 'connect', listener: (client: PgClient) => void): unknown;
}

interface PgModule {
  readonly default: {
    readonly Client: new (config: object) => PgClient & { readonly host: string; readonly port: number };
    readonly Pool: new (config: object) => PgPool;
  };
}

/** An opened pg module with the connection's config, and where it goes, for error messages. */
export interface PgTarget {
  readonly pg: PgModule['default'];
  readonly config: Record<string, unknown>;
  /** `host:port` (or the socket directory), as pg resolves it. */
  readonly where: string;
}

/** Connections give up after this long when the server does not answer (pg waits forever by default). */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Throws `OPTIONS_INVALID` unless `connection` is a connection string or a config object (see
 * {@link PostgresConnection}); `fn` names the connector in the message.
 */
export function checkConnection(fn: string, connection: unknown): PostgresConnection {
  const ok =
    (typeof connection === 'string' && connection.length > 0) ||
    (connection !== null && typeof connection === 'object' && !Array.isArray(connection));
  if (!ok) {
    throw new ConsecutionError('OPTIONS_INVALID', `${fn}(): connection must be a connection string or a pg config object, got ${previewTyped(connection)}`);
  }
  return connection as PostgresConnection;
}

/**
 * Loads pg (with {@link loadOptional}, for `connector`) and resolves `connection` to a config and
 * the `host:port` it names, without connecting.
 */
export async function pgTarget(connection: PostgresConnection, connector: string): Promise<PgTarget> {
  const pg = (await loadOptional<PgModule>('pg', connector)).default;
  const config: Record<string, unknown> = {
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(typeof connection === 'string' ? { connectionString: connection } : connection),
  };
  // A Client resolves the host and port from the string, the environment and the defaults; it
  // opens no socket until connect().
  const probe = new pg.Client(config);
  return { pg, config, where: `${probe.host}:${probe.port}` };
}

/** The error of a connection that could not be made: it names the connector, where, and why. */
export function connectFailed(connector: string, where: string, e: unknown): Error {
  return new Error(`${connector} could not connect to PostgreSQL at ${where}: ${messageOf(e) || String((e as { code?: unknown }).code)}`, { cause: e });
}

/**
 * Quotes a PostgreSQL identifier: in double quotes, a double quote doubled, so that any name
 * (spaces, capitals, keywords, quotes) is taken as is. A NUL character cannot be in one.
 *
 * @example
 * ```ts
 * quoteIdent('order');   // '"order"'
 * quoteIdent('a"b');     // '"a""b"'
 * ```
 */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new ConsecutionError('OPTIONS_INVALID', `a PostgreSQL identifier cannot hold a NUL character, got ${previewTyped(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}
