import { jsonText } from '../connectors/json-text.js';
import { closeRedis, connectRedis, redisTarget, type RedisClient } from '../connectors/redis.js';
import { ConsecutionError, messageOf } from '../errors.js';
import { nameOption, optionReader, requireOptions, rejectUnknown } from '../stage/args.js';
import { batchedTarget, type BatchedTarget } from './batched-target.js';

/** Options of {@link toRedisStream}. */
export interface RedisStreamTargetOptions {
  /** The server. @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** The stream's key (created by the first XADD). */
  readonly stream: string;
  /** Trims the stream to about this many entries as it grows (`XADD ... MAXLEN ~ maxLen`). @default no trimming */
  readonly maxLen?: number;
  /** The entry's field that holds the value's JSON. @default 'data' */
  readonly field?: string;
  /** The target's name in errors. @default 'toRedisStream <stream>' */
  readonly name?: string;
  /** The most entries in one pipeline. @default 1000 */
  readonly batchSize?: number;
}

/** A Redis stream output target: what {@link toRedisStream} returns. */
export type RedisStreamTarget<T> = BatchedTarget<T>;

const KNOWN = ['url', 'stream', 'maxLen', 'field', 'name', 'batchSize'];

/**
 * An output target that adds each value as an entry of a Redis stream (ioredis, loaded when the
 * run opens its outputs: `npm install ioredis`). The entry has two fields: `field` (default `data`)
 * holds the value as JSON, and `key` holds the item's idempotency key (`meta.key`, absent when the
 * run tracks nothing), so that a consumer downstream can drop a redelivered duplicate. That is the
 * format {@link fromRedisStream} reads, so one pipeline's output can be the next one's input.
 *
 * Appends that arrive while a batch is being written go together into the next: one pipeline of
 * XADDs per batch; each append is confirmed when Redis answered its XADD. With `maxLen` the stream
 * is trimmed as it grows (`MAXLEN ~`: about that many entries are kept). An unreachable server
 * fails the run at open with `OUTPUT_FAILED` naming it. At-least-once: a retried item is added
 * again (with the same `key`).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, { total: number }>;
 * const totals = toRedisStream<{ total: number }>({ stream: 'totals', maxLen: 100_000 });
 * await new Consecutor(pipeline, { outputs: { default: totals } }).run([1, 2, 3]);
 * ```
 */
export function toRedisStream<T = unknown>(options: RedisStreamTargetOptions): RedisStreamTarget<T> {
  requireOptions('toRedisStream()', options, 'stream, ...');
  rejectUnknown('toRedisStream()', options, KNOWN);
  const r = optionReader(options, (k) => `toRedisStream(): ${k}`);
  const { url, stream } = redisTarget(r, options);
  const maxLen = options.maxLen === undefined ? undefined : r.integer('maxLen', 1, 0);
  const field = nameOption(r, options, 'field', 'data');
  if (field === 'key') r.bad('field', "a field other than 'key' (it holds meta.key)", field);
  const name = nameOption(r, options, 'name', `toRedisStream ${stream}`);
  const batchSize = r.integer('batchSize', 1, 1000);
  const trim = maxLen === undefined ? [] : ['MAXLEN', '~', maxLen];
  return batchedTarget<T, RedisClient, readonly (string | number)[]>({
    name,
    batchSize,
    connect: () => connectRedis(url, 'toRedisStream', 'OUTPUT_FAILED'),
    encode(value, meta) {
      const text = jsonText(value, name);
      return meta?.key === undefined ? [field, text] : [field, text, 'key', meta.key];
    },
    async commit(client, batch) {
      const p = client.pipeline();
      for (const args of batch) p.call('XADD', [stream, ...trim, '*', ...args]);
      const replies = await p.exec();
      if (replies === null) throw new ConsecutionError('OUTPUT_FAILED', `${name}: the pipeline was not run`);
      return replies.map(([err]) => (err === null ? undefined : new ConsecutionError('OUTPUT_FAILED', `${name}: XADD failed: ${messageOf(err)}`, { cause: err })));
    },
    disconnect: closeRedis,
  });
}
