// The Redis server of the Redis connector tests, and helpers on it: a raw ioredis client, unique
// stream keys (deleted after each test), a poll for an outcome that needs a round trip.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { service } from './services.js';

export { until } from './until.js';

export const server = await service('redis');
export const url = `redis://${server.host}:${server.port}`;

let client: Redis | undefined;
const keys: string[] = [];

/** A raw client of the test server (one per test file). */
export function redis(): Redis {
  return (client ??= new Redis(url));
}

/** A stream key unique to this test, deleted by {@link cleanup}. */
export function streamKey(what: string): string {
  const key = `consecution-test:${what}:${randomUUID()}`;
  keys.push(key);
  return key;
}

/** Deletes the keys made by {@link streamKey}; with `end`, closes the client too. */
export async function cleanup(end = false): Promise<void> {
  if (keys.length > 0) await redis().del(...keys.splice(0));
  if (end) {
    await client?.quit();
    client = undefined;
  }
}

/** Adds one entry per value, its JSON in field `data`; resolves with their ids. */
export async function addAll(stream: string, values: readonly unknown[]): Promise<string[]> {
  const p = redis().pipeline();
  for (const v of values) p.xadd(stream, '*', 'data', JSON.stringify(v));
  const replies = (await p.exec()) ?? [];
  return replies.map(([err, id]) => {
    if (err !== null) throw err;
    return id as string;
  });
}

/** The number of entries of `group` pending (delivered, not acked). */
export async function pendingCount(stream: string, group: string): Promise<number> {
  const summary = (await redis().xpending(stream, group)) as [number, ...unknown[]];
  return summary[0];
}

/** The entries of `stream`, each its fields as an object. */
export async function entries(stream: string): Promise<{ id: string; fields: Record<string, string> }[]> {
  const raw = await redis().xrange(stream, '-', '+');
  return raw.map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { id, fields };
  });
}
