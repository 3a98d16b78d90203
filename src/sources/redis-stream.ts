import { redisTarget } from '../connectors/redis.js';
import { nameOption, optionReader, requireOptions, rejectUnknown } from '../stage/args.js';
import { RedisStreamReader } from './redis-stream-reader.js';
import { parseAgain, type RedisEntryFormat, type RedisStreamConfig } from './redis-entry.js';
import { brokerSource, type BrokerSource } from './broker-source.js';

export type { RedisEntryFormat } from './redis-entry.js';

/** Options of {@link fromRedisStream}. */
export interface RedisStreamSourceOptions {
  /** The server. @default 'redis://127.0.0.1:6379' */
  readonly url?: string;
  /** The stream's key. */
  readonly stream: string;
  /** The consumer group; created when absent (from the stream's first entry, and the stream with it). */
  readonly group: string;
  /**
   * This consumer's name in the group: unique among the copies that run at once, and the same
   * when a copy restarts (it reads its own unacked entries first).
   */
  readonly consumer: string;
  /** Entries of other consumers unacked for this long are claimed (their consumer is taken for dead). @default 30_000 */
  readonly claimIdleMs?: number;
  /** The most entries asked for at once (XREADGROUP and XAUTOCLAIM COUNT); keep it at most the run's maxPending. @default 100 */
  readonly count?: number;
  /** How long one read waits for new entries before it looks again (XREADGROUP BLOCK). @default 1000 */
  readonly blockMs?: number;
  /** How the field is read: `json` (JSON.parse) or `text` (the string). @default 'json' */
  readonly format?: RedisEntryFormat;
  /** The entry's field that holds the item. @default 'data' */
  readonly field?: string;
  /** A stream to which the failure record of each dead-lettered entry is added (XADD, as JSON in `field`). @default none */
  readonly deadLetterStream?: string;
  /** The source's name in errors and failure records. @default 'redis <stream> <group>' */
  readonly name?: string;
}

/** A Redis stream source: a {@link Source} that also counts the entries it was given again. */
export type RedisStreamSource<T> = BrokerSource<T>;

const KNOWN = ['url', 'stream', 'group', 'consumer', 'claimIdleMs', 'count', 'blockMs', 'format', 'field', 'deadLetterStream', 'name'];
const FORMATS: readonly RedisEntryFormat[] = ['json', 'text'];

/**
 * A source of the entries of a Redis stream, read as one consumer of a consumer group (ioredis,
 * loaded when the run opens it: `npm install ioredis`). Copies of a pipeline that read the same
 * group under different consumer names share the entries: the way to scale a pipeline out.
 *
 * Each entry is an item: its `field` (default `data`) read as JSON or text; its position is the
 * entry's id; its key (SourceReader.key, what the idempotency keys of its copies are made of) is
 * the entry's `key` field, written by an upstream {@link toRedisStream}, else `<stream>:<id>`: the
 * same in every copy of the pipeline, so that a copy that processes a claimed entry again writes
 * with the keys the first one used. An entry without the field, or whose JSON is malformed, is a failed item
 * (`BAD_INPUT`, dead-lettered with its text). The group is created when absent, from id `0`: a new
 * group reads the entries the stream holds already (create it yourself with `$` to skip them).
 * An unreachable server fails the run with `SOURCE_FAILED` naming it, before any item.
 *
 * Guarantee: at least once, by the broker (no store needed). An entry is XACKed when its item
 * completed, or was dead-lettered (it is in the dead letter output then, and in
 * `deadLetterStream` when given). A consumer reads its own unacked entries first (a restart under
 * the same name goes on with them), then new ones. Every `claimIdleMs / 2` it claims (XAUTOCLAIM)
 * the entries other consumers left unacked for `claimIdleMs` (a copy killed with kill -9), and
 * keeps its own alive (XCLAIM of the entries it holds, which resets their idle time), so that an
 * item in flight longer than `claimIdleMs` is not taken from a live consumer. At a stop, the
 * entries not settled stay pending: the consumer reads them when it restarts, others claim them
 * after `claimIdleMs`. An entry is processed more than once only after such a claim or restart:
 * {@link RedisStreamSource.redelivered} counts those deliveries. The broker is the durability: a
 * run needs no store (with one, an entry in flight at a crash comes back twice, from the journal
 * and from the group, and is processed twice). A copy reads at most `count` entries ahead of
 * what the run has taken; they are its own (pending under its name) until acked.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, unknown>;
 * const orders = fromRedisStream({ stream: 'orders', group: 'billing', consumer: `billing-${process.pid}` });
 * const c = new Consecutor(pipeline, { guarantee: 'replay' });
 * process.once('SIGTERM', () => void c.stop());
 * await c.run(orders);
 * ```
 */
export function fromRedisStream<T = unknown>(options: RedisStreamSourceOptions): RedisStreamSource<T> {
  const o = checkOptions(options);
  return brokerSource<T>(o.name, (raw) => parseAgain<T>(raw, o), (context, counts) => new RedisStreamReader(o, context, counts));
}

function checkOptions(options: RedisStreamSourceOptions): RedisStreamConfig {
  requireOptions('fromRedisStream()', options, 'stream, group, consumer, ...');
  rejectUnknown('fromRedisStream()', options, KNOWN);
  const r = optionReader(options, (k) => `fromRedisStream(): ${k}`);
  const { url, stream } = redisTarget(r, options);
  const group = nameOption(r, options, 'group');
  const deadLetterStream = options.deadLetterStream === undefined ? undefined : nameOption(r, options, 'deadLetterStream');
  if (deadLetterStream === stream) r.bad('deadLetterStream', `another stream than stream "${stream}"`, deadLetterStream);
  return {
    url,
    stream,
    group,
    consumer: nameOption(r, options, 'consumer'),
    claimIdleMs: r.timeout('claimIdleMs', 30_000),
    count: r.integer('count', 1, 100),
    blockMs: r.timeout('blockMs', 1000),
    format: r.oneOf('format', FORMATS, 'json'),
    field: nameOption(r, options, 'field', 'data'),
    deadLetterStream,
    name: nameOption(r, options, 'name', `redis ${stream} ${group}`),
  };
}
