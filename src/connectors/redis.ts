import type { Redis } from 'ioredis';
import { ConsecutionError, messageOf, type ErrorCode } from '../errors.js';
import type { OptionReader } from '../stage/args.js';
import { withoutPassword } from './address.js';
import { loadOptional } from './optional.js';

/** The ioredis 5 client, as the Redis connectors use it. */
export type RedisClient = Redis;

interface IoredisModule {
  readonly Redis: new (url: string, options: object) => Redis;
}

/** The server the Redis connectors connect to by default. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Connections give up after this long when the server does not answer. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Checks the options `url` and `stream` that fromRedisStream and toRedisStream share; a bad value
 * throws `OPTIONS_INVALID` showing it.
 */
export function redisTarget(r: OptionReader, options: { readonly url?: unknown; readonly stream?: unknown }): { url: string; stream: string } {
  const { url = DEFAULT_REDIS_URL, stream } = options;
  if (typeof url !== 'string' || !/^rediss?:\/\/\S*$/.test(url)) r.bad('url', "a Redis URL such as 'redis://127.0.0.1:6379'", url);
  if (typeof stream !== 'string' || stream === '') r.bad('stream', 'the key of a Redis stream (a non-empty string)', stream);
  return { url: url, stream: stream };
}


/**
 * Loads ioredis (with {@link loadOptional}, for `connector`) and connects to `url`. A server that
 * does not answer rejects with `code` naming it. Once connected, a lost connection is made again
 * (ioredis's own retry); commands sent meanwhile wait for it, and fail after 20 attempts.
 */
export async function connectRedis(url: string, connector: string, code: ErrorCode): Promise<Redis> {
  const { Redis } = await loadOptional<IoredisModule>('ioredis', connector);
  let connected = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // No retry for the first connection: an unreachable server fails the run at once.
    retryStrategy: (times: number) => (connected ? Math.min(times * 100, 2_000) : null),
  });
  // An error event without a listener would crash the process; the failing command reports it.
  client.on('error', () => {});
  try {
    await client.connect();
    connected = true;
  } catch (e) {
    client.disconnect();
    throw new ConsecutionError(code, `${connector} could not connect to Redis at ${withoutPassword(url)}: ${messageOf(e)}`, { cause: e });
  }
  return client;
}

/** Ends a connection: QUIT when it answers, or drops it. */
export async function closeRedis(client: Redis | undefined): Promise<void> {
  if (client === undefined || client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** One entry of a stream: its id, and its fields (null when it was deleted while pending). */
export interface StreamEntry {
  readonly id: string;
  readonly fields: Readonly<Record<string, string>> | null;
}

/** The entries of a reply of XRANGE form, `[[id, [field, value, ...]], ...]`. */
export function entriesOf(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((e: unknown) => {
    const [id, flat] = e as [string, string[] | null];
    if (flat === null) return { id, fields: null };
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { id, fields };
  });
}

/** The entries of an XREADGROUP reply for one stream (null when it timed out). */
export function readReply(reply: unknown): StreamEntry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  return entriesOf((reply[0] as [string, unknown])[1]);
}
