import { VirtualClock } from 'consecution/testing';
import { print } from '../../operators/print.js';
import { readFile } from '../../operators/readFile.js';
import { writeFile } from '../../operators/writeFile.js';
import { resolveOptions } from '../../src/consecutor/options.js';
import { toFile } from '../../src/sinks/file.js';
import { toHttp } from '../../src/sinks/http.js';
import { toKafka } from '../../src/sinks/kafka.js';
import { toPostgres } from '../../src/sinks/postgres.js';
import { toStdout } from '../../src/sinks/stdout.js';
import { toZmq } from '../../src/sinks/zmq.js';
import { fromCron } from '../../src/sources/cron.js';
import { fromFile } from '../../src/sources/file.js';
import { fromHttp } from '../../src/sources/http.js';
import { fromInterval } from '../../src/sources/interval.js';
import { fromPostgres } from '../../src/sources/postgres.js';
import { fromStdin } from '../../src/sources/stdin.js';
import { watchDirectory } from '../../src/sources/watch.js';
import { fromZmq } from '../../src/sources/zmq.js';
import { toNats } from '../../src/sinks/nats.js';
import { toRedisStream } from '../../src/sinks/redis-stream.js';
import { fromNats } from '../../src/sources/nats.js';
import { fromRedisStream } from '../../src/sources/redis-stream.js';

type Options = Record<string, unknown>;

/**
 * One options schema's cases: how its function takes an options object (positional params given),
 * options the function accepts (its defaults written out among them), options both refuse, and a
 * misspelt key (beside the required ones, `base`) with the key it meant.
 */
export interface SchemaCase {
  readonly build: (options: Options) => unknown;
  readonly accepts: readonly Options[];
  readonly refuses: readonly Options[];
  readonly misspelt: { readonly base: Options; readonly key: string; readonly meant: string };
  /** The function's options that only code can give (functions, streams, clocks): not in the schema. */
  readonly codeOnly?: readonly string[];
}

const pg = 'postgres://postgres@127.0.0.1:5432/test';
const zmqIn = { uri: 'tcp://127.0.0.1:5555', pattern: 'pull' };
const zmqOut = { uri: 'tcp://127.0.0.1:5556', pattern: 'push' };

export const cases: Readonly<Record<string, SchemaCase>> = {
  consecutor: {
    build: (o) => resolveOptions(o),
    accepts: [
      {},
      { guarantee: 'track', timeoutMs: 30_000, drainMs: 30_000, maxPending: 1000, keepFailures: 100, checks: true, mode: 'sync' },
      { guarantee: 'replay', retries: 3, store: { path: './state' } },
      { guarantee: 'none', retries: undefined, timeoutMs: 2_147_483_647, maxPending: 1, keepFailures: 0, checks: false, mode: 'process' },
      { outputs: { default: [] }, clock: new VirtualClock() },
    ],
    refuses: [{ maxPending: 0 }, { guarantee: 'exactly-once' }, { timeoutMs: Infinity }, { timeoutMs: 2_147_483_648 }, { checks: 'yes' }, { store: { path: '' } }, { mode: 'fork' }],
    misspelt: { base: {}, key: 'maxPendng', meant: 'maxPending' },
  },
  fromFile: {
    build: (o) => fromFile('in.ndjson', o),
    accepts: [{}, { format: 'lines', maxLineBytes: 16 * 1024 * 1024 }, { format: 'ndjson', maxLineBytes: 1, name: 'events' }],
    refuses: [{ format: 'csv' }, { maxLineBytes: 0 }, { maxLineBytes: 1.5 }],
    misspelt: { base: {}, key: 'fromat', meant: 'format' },
  },
  fromStdin: {
    build: (o) => fromStdin(o),
    accepts: [{}, { format: 'ndjson', name: 'stdin', maxLineBytes: 1024 }],
    refuses: [{ format: 'json' }, { maxLineBytes: -1 }],
    misspelt: { base: {}, key: 'maxLineByte', meant: 'maxLineBytes' },
    codeOnly: ['input'],
  },
  fromHttp: {
    build: (o) => fromHttp(o as never),
    accepts: [
      { port: 0 },
      {
        port: 8080,
        host: '127.0.0.1',
        path: '/',
        format: 'json',
        maxBodyBytes: 1024 * 1024,
        token: 's3cret',
        respond: 'admitted',
        timeoutMs: 30_000,
        waitMs: 1_000,
        idempotencyKeys: 10_000,
        idempotencyTtlMs: 24 * 3600 * 1000,
        name: 'http:8080/',
      },
      { port: 65535, host: '0.0.0.0', path: '/events', format: 'ndjson', respond: 'completed', idempotencyKeys: 0 },
    ],
    refuses: [{}, { port: 65536 }, { port: 8080, path: 'events' }, { port: 8080, respond: 'never' }, { port: 8080, host: '' }, { port: 8080, waitMs: 0 }],
    misspelt: { base: { port: 8080 }, key: 'respnd', meant: 'respond' },
  },
  fromZmq: {
    build: (o) => fromZmq(o as never),
    accepts: [zmqIn, { uri: 'ipc:///tmp/feed', pattern: 'sub', topics: ['orders.'], format: 'ndjson', bind: false, name: 'feed' }],
    refuses: [{ ...zmqIn, uri: 'localhost:5555' }, { ...zmqIn, pattern: 'push' }, { ...zmqIn, format: 'lines' }, { ...zmqIn, bind: 'yes' }],
    misspelt: { base: zmqIn, key: 'formt', meant: 'format' },
  },
  fromInterval: {
    build: (o) => fromInterval(o as never),
    accepts: [{ everyMs: 1000 }, { everyMs: 60_000, jitterMs: 0, count: 10, catchUp: 'last', name: 'poll' }],
    refuses: [{}, { everyMs: 0 }, { everyMs: 1000, catchUp: 'some' }, { everyMs: 1000, count: -1 }],
    misspelt: { base: { everyMs: 1000 }, key: 'jiterMs', meant: 'jitterMs' },
    codeOnly: ['produce', 'random'],
  },
  fromCron: {
    build: (o) => fromCron('*/5 * * * *', o),
    accepts: [{}, { timezone: 'Europe/Paris', jitterMs: 0, count: 0, catchUp: 'all', name: 'daily' }, { timezone: 'UTC', catchUp: 'none' }],
    refuses: [{ timezone: 'Mars/Olympus' }, { jitterMs: 0.5 }, { name: '' }],
    misspelt: { base: {}, key: 'timezon', meant: 'timezone' },
    codeOnly: ['produce', 'random'],
  },
  watchDirectory: {
    build: (o) => watchDirectory('inbox', o),
    accepts: [{}, { pattern: '*.csv', recursive: false, minAgeMs: 0, existing: true, name: 'inbox' }, { recursive: true, minAgeMs: 2000, existing: false }],
    refuses: [{ minAgeMs: -1 }, { pattern: '' }, { recursive: 'no' }],
    misspelt: { base: {}, key: 'minAge', meant: 'minAgeMs' },
  },
  fromPostgres: {
    build: (o) => fromPostgres(o as never),
    accepts: [
      { connection: pg, query: 'SELECT 1' },
      { connection: { host: '127.0.0.1', port: 5432 }, query: 'SELECT id FROM t WHERE k = $1', params: ['x'], key: 'id', batchSize: 500, name: 'postgres' },
    ],
    refuses: [{ connection: '', query: 'SELECT 1' }, { connection: pg, query: '  ' }, { connection: [pg], query: 'SELECT 1' }, { connection: pg, query: 'SELECT 1', batchSize: 0 }],
    misspelt: { base: { connection: pg, query: 'SELECT 1' }, key: 'batchsize', meant: 'batchSize' },
  },
  toFile: {
    build: (o) => toFile('out.ndjson', o),
    accepts: [{}, { format: 'ndjson', fsync: true }, { format: 'lines', fsync: false, rotate: { bytes: 64 << 20 } }, { rotate: { items: 10 } }],
    refuses: [{ rotate: {} }, { format: 'csv' }, { rotate: { bytes: 0 } }, { fsync: 1 }],
    misspelt: { base: {}, key: 'fsinc', meant: 'fsync' },
  },
  toStdout: {
    build: (o) => toStdout(o),
    accepts: [{}, { format: 'ndjson' }, { format: 'lines' }],
    refuses: [{ format: 'json' }],
    misspelt: { base: {}, key: 'fomat', meant: 'format' },
    codeOnly: ['stream'],
  },
  toHttp: {
    build: (o) => toHttp('http://127.0.0.1:8080/events', o),
    accepts: [
      {},
      { method: 'POST', retries: 5, timeoutMs: 10_000, backoffMs: 200, maxBackoffMs: 30_000, maxInFlight: 64 },
      { method: 'put', headers: { authorization: 'Bearer s3cret' }, retries: 0, backoffMs: 0 },
    ],
    refuses: [{ method: 'GET' }, { method: 'PO ST' }, { maxInFlight: 0 }, { retries: -1 }, { maxBackoffMs: 0 }],
    misspelt: { base: {}, key: 'retires', meant: 'retries' },
    codeOnly: ['encode', 'clock', 'random', 'onRetry'],
  },
  toPostgres: {
    build: (o) => toPostgres(o as never),
    accepts: [
      { connection: pg, table: 'events' },
      { connection: { host: '127.0.0.1' }, table: 'public.events', columns: ['id', 'body'], keyColumn: 'key', batchSize: 1000 },
    ],
    refuses: [
      { connection: pg, table: 'a..b' },
      { connection: pg, table: 't', columns: ['a', 'a'] },
      { connection: pg, table: 't', columns: [] },
      { connection: pg, table: 't', keyColumn: '' },
    ],
    misspelt: { base: { connection: pg, table: 'events' }, key: 'keycolumn', meant: 'keyColumn' },
  },
  toZmq: {
    build: (o) => toZmq(o as never),
    accepts: [zmqOut, { uri: 'tcp://*:5556', pattern: 'pub', bind: true, topic: 'events', lingerMs: 5_000 }, { ...zmqOut, bind: false, lingerMs: 0 }],
    refuses: [{ ...zmqOut, pattern: 'pull' }, { ...zmqOut, lingerMs: -1 }, { pattern: 'push' }],
    misspelt: { base: zmqOut, key: 'linger', meant: 'lingerMs' },
  },
  readFile: {
    build: (o) => readFile(o),
    accepts: [{}, { as: 'text', name: 'readFile', concurrency: 4 }, { as: 'buffer', concurrency: 1 }],
    refuses: [{ as: 'json' }, { concurrency: 0 }],
    misspelt: { base: {}, key: 'concurency', meant: 'concurrency' },
  },
  writeFile: {
    build: (o) => writeFile('out', o),
    accepts: [{}, { name: 'writeFile', concurrency: 4 }],
    refuses: [{ concurrency: 1.5 }],
    misspelt: { base: {}, key: 'concurrence', meant: 'concurrency' },
  },
  print: {
    build: (o) => print(o),
    accepts: [{}, { name: 'print' }],
    refuses: [],
    misspelt: { base: {}, key: 'nmae', meant: 'name' },
    codeOnly: ['stream'],
  },
  fromRedisStream: {
    build: (o) => fromRedisStream(o as never),
    accepts: [
      { stream: 'orders', group: 'billing', consumer: 'b1' },
      {
        url: 'redis://127.0.0.1:6379',
        stream: 'orders',
        group: 'billing',
        consumer: 'b1',
        claimIdleMs: 30_000,
        count: 100,
        blockMs: 1000,
        format: 'json',
        field: 'data',
        deadLetterStream: 'orders-dead',
        name: 'orders',
      },
      { url: 'rediss://user:pw@redis.example:6380', stream: 's', group: 'g', consumer: 'c', format: 'text' },
    ],
    refuses: [
      { stream: 'orders', group: 'billing' },
      { stream: '', group: 'g', consumer: 'c' },
      { url: 'http://127.0.0.1', stream: 's', group: 'g', consumer: 'c' },
      { stream: 's', group: 'g', consumer: 'c', claimIdleMs: 0 },
      { stream: 's', group: 'g', consumer: 'c', count: 0 },
      { stream: 's', group: 'g', consumer: 'c', format: 'ndjson' },
    ],
    misspelt: { base: { stream: 's', group: 'g', consumer: 'c' }, key: 'claimIdle', meant: 'claimIdleMs' },
  },
  toRedisStream: {
    build: (o) => toRedisStream(o as never),
    accepts: [{ stream: 'totals' }, { url: 'redis://127.0.0.1:6379', stream: 'totals', maxLen: 100_000, field: 'data', name: 'totals', batchSize: 1000 }],
    refuses: [{}, { stream: 's', maxLen: 0 }, { stream: 's', field: 'key' }, { stream: 's', batchSize: 0 }],
    misspelt: { base: { stream: 's' }, key: 'maxlen', meant: 'maxLen' },
  },
  fromNats: {
    build: (o) => fromNats(o as never),
    accepts: [
      { stream: 'ORDERS', consumer: 'billing' },
      {
        servers: 'nats://127.0.0.1:4222',
        stream: 'ORDERS',
        consumer: 'billing',
        subject: 'orders.eu',
        ackWaitMs: 30_000,
        maxDeliver: 5,
        batch: 100,
        fetchWaitMs: 5000,
        format: 'json',
        deadLetterSubject: 'orders.dead',
        name: 'orders',
      },
      { servers: ['nats://a:4222', 'b:4222'], stream: 's', consumer: 'c', subject: 'orders.*.>', format: 'bytes' },
      { servers: 'nats://u:pw@a:4222, tls://b:4222', stream: 's', consumer: 'c', format: 'text' },
    ],
    refuses: [
      { stream: 'ORDERS' },
      { stream: '', consumer: 'c' },
      { stream: 'a.b', consumer: 'c' },
      { servers: 'http://127.0.0.1:4222', stream: 's', consumer: 'c' },
      { servers: [], stream: 's', consumer: 'c' },
      { stream: 's', consumer: 'c', subject: 'a..b' },
      { stream: 's', consumer: 'c', subject: 'a.>.b' },
      { stream: 's', consumer: 'c', ackWaitMs: 0 },
      { stream: 's', consumer: 'c', batch: 0 },
      { stream: 's', consumer: 'c', fetchWaitMs: 999 },
      { stream: 's', consumer: 'c', format: 'ndjson' },
      { stream: 's', consumer: 'c', deadLetterSubject: 'dead.*' },
    ],
    misspelt: { base: { stream: 's', consumer: 'c' }, key: 'ackWait', meant: 'ackWaitMs' },
  },
  toNats: {
    build: (o) => toNats(o as never),
    accepts: [{ subject: 'totals' }, { servers: ['nats://127.0.0.1:4222'], subject: 'totals.eu', name: 'totals', batchSize: 1000 }],
    refuses: [{}, { subject: 'totals.*' }, { subject: 'a b' }, { subject: 's', batchSize: 0 }, { servers: 'redis://x', subject: 's' }],
    misspelt: { base: { subject: 's' }, key: 'batchsize', meant: 'batchSize' },
  },
  toKafka: {
    build: (o) => toKafka(o as never),
    accepts: [
      { brokers: ['127.0.0.1:9092'], topic: 'orders' },
      { brokers: 'kafka1:9092, kafka2:9092', topic: 'orders', clientId: 'consecution', connectionTimeoutMs: 10_000, retries: 5 },
    ],
    refuses: [
      { topic: 'orders' },
      { brokers: '127.0.0.1:9092' },
      { brokers: [], topic: 't' },
      { brokers: 'localhost', topic: 't' },
      { brokers: 'a:1,', topic: 't' },
      { brokers: ['a:1', 9092], topic: 't' },
      { brokers: 9092, topic: 't' },
      { brokers: 'a:1', topic: '' },
      { brokers: 'a:1', topic: 't', clientId: '' },
      { brokers: 'a:1', topic: 't', connectionTimeoutMs: 0 },
      { brokers: 'a:1', topic: 't', retries: 0 },
    ],
    misspelt: { base: { brokers: 'a:1', topic: 't' }, key: 'tpoic', meant: 'topic' },
    codeOnly: ['key'],
  },
};
