// The PostgreSQL server of the connector tests (PGHOST, PGPORT, PGUSER, PGDATABASE; by default
// postgres@127.0.0.1:5432/test, trust auth), a client of the test's own to set tables up and look at
// them, and table names unique to each test (dropped when it ends).
import pg from 'pg';
import { onTestFinished } from 'vitest';
import { service } from './services.js';

export const server = await service('postgres');

export const connection = {
  host: server.host,
  port: server.port,
  user: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'test',
};

let tables = 0;

/** A table name no other test (nor a parallel run) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++tables}`;
}

/** A client of the test's own, ended when the test ends. */
export async function admin(): Promise<pg.Client> {
  const db = new pg.Client(connection);
  await db.connect();
  onTestFinished(() => db.end());
  return db;
}

/** Creates a table (`columns` as in CREATE TABLE) with a unique name, dropped when the test ends. */
export async function table(db: pg.Client, prefix: string, columns: string): Promise<string> {
  const name = uniqueName(prefix);
  await db.query(`CREATE TABLE "${name}" (${columns})`);
  onTestFinished(async () => {
    await db.query(`DROP TABLE IF EXISTS "${name}"`);
  });
  return name;
}

/** An address where no PostgreSQL listens: a port of 127.0.0.1 that was free a moment ago. */
export async function nowhere(): Promise<{ host: string; port: number; user: string; database: string }> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return { ...connection, host: '127.0.0.1', port };
}
