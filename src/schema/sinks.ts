import { z } from 'zod';
import { atLeast, flag, nonEmpty, pgConnection, timeoutMs, zmqUri } from './common.js';
import { natsServers, natsSubject } from './nats.js';
import { kafkaBrokers } from './kafka.js';
import { redisStreamKey, redisUrl } from './redis.js';

const lineFormat = z.enum(['ndjson', 'lines']).optional().describe("ndjson: each value as a line of JSON; lines: strings (numbers, booleans) as they are @default 'ndjson'");
const columnName = z.string().min(1);

/**
 * The schemas of the sinks' options objects, by sink, with the ranges each sink's own checks
 * take: the options a pipeline file can give (not functions, clocks nor streams, which only code
 * can), and not the positional params (toFile's `path`, toHttp's `url`), which the built-ins of
 * pipeline files add. Unknown keys are refused.
 *
 * @example
 * ```ts
 * sinkSchemas.toFile.parse({ format: 'lines', rotate: { bytes: 64 << 20 } });
 * sinkSchemas.toPostgres.safeParse({ connection: 'postgres://localhost/db', table: 'events', batchsize: 10 }).success; // false
 * ```
 */
export const sinkSchemas = {
  toFile: z.strictObject({
    format: lineFormat,
    fsync: flag("confirm a batch once it is fsync'd (survives a power loss), not only written (survives a kill of the process) @default true"),
    rotate: z
      .strictObject({
        bytes: atLeast(1, 'start a new file once the current one holds this many bytes'),
        items: atLeast(1, 'start a new file once the current one holds this many lines'),
      })
      // Only once its keys are right: a misspelt limit is reported as such, not as no limit.
      .refine((r) => r.bytes !== undefined || r.items !== undefined, { message: 'an object with bytes and/or items', when: (p) => p.issues.length === 0 })
      .optional()
      .describe('start a new file (the old one renamed <name>.<n><ext>) past so many bytes or lines @default no rotation'),
  }),
  toStdout: z.strictObject({ format: lineFormat }),
  toHttp: z.strictObject({
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'a method that sends a body, such as POST or PUT')
      .refine((m) => !/^(get|head)$/i.test(m), 'a method that sends a body, such as POST or PUT (not GET nor HEAD)')
      .optional()
      .describe("the request method: one that sends a body (not GET nor HEAD) @default 'POST'"),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('headers of every request; Content-Type defaults to application/json, Idempotency-Key is set per item'),
    retries: atLeast(0, 'tries after the first one, for 429, 5xx, network errors and timeouts @default 5'),
    timeoutMs: timeoutMs('how long one request may take, answer and body included, before it counts as a network error @default 10000'),
    backoffMs: atLeast(0, 'the cap of the first backoff: retry n waits a random time below backoffMs * 2^n (full jitter) @default 200'),
    maxBackoffMs: timeoutMs('the longest wait before a retry, a Retry-After included @default 30000'),
    maxInFlight: atLeast(1, "requests in flight at once (a retry's wait keeps its place) @default 64"),
  }),
  toPostgres: z.strictObject({
    connection: pgConnection,
    table: z
      .string()
      .refine((t) => t !== '' && !t.split('.').some((p) => p === ''), "a table name ('events' or 'schema.events')")
      .describe('the table, name or schema.name; each part is quoted, so it is taken as written'),
    columns: z
      .array(columnName)
      .min(1)
      .refine((c) => new Set(c).size === c.length, 'a non-empty array of distinct column names')
      .optional()
      .describe("the columns written, each from the value's field of the same name @default the fields of the first value written"),
    keyColumn: columnName
      .optional()
      .describe("a text column with a unique constraint that receives the item's idempotency key: a replayed item is written once (ON CONFLICT DO NOTHING)"),
    batchSize: atLeast(1, 'the most rows in one transaction @default 1000'),
  }),
  toZmq: z.strictObject({
    uri: zmqUri,
    pattern: z.enum(['push', 'pub']).describe('push: a PUSH socket (to PULL peers, round-robin); pub: a PUB socket (to every SUB peer subscribed)'),
    bind: flag('bind uri (this side is the service); by default it connects to it @default false'),
    topic: z.string().optional().describe('a first frame before the JSON body: the topic SUB peers filter on @default none: one frame'),
    lingerMs: atLeast(0, 'at close, how long messages handed to the socket but not yet sent may still take to go out @default 5000'),
  }),
  toRedisStream: z.strictObject({
    url: redisUrl,
    stream: redisStreamKey,
    maxLen: atLeast(1, 'trims the stream to about this many entries as it grows (XADD MAXLEN ~) @default no trimming'),
    field: z.string().min(1).refine((f) => f !== 'key', "a field other than 'key' (it holds the item's idempotency key)").optional().describe("the entry's field that holds the value's JSON (the field key holds the item's idempotency key) @default 'data'"),
    name: nonEmpty("the target's name in errors @default 'toRedisStream <stream>'"),
    batchSize: atLeast(1, 'the most entries in one pipeline @default 1000'),
  }),
  toNats: z.strictObject({
    servers: natsServers,
    subject: natsSubject.describe('the subject published to (no wildcards); a JetStream stream must hold it'),
    name: nonEmpty("the target's name in errors @default 'toNats <subject>'"),
    batchSize: atLeast(1, 'the most messages published at once, whose PubAcks a batch awaits @default 1000'),
  }),
  toKafka: z.strictObject({
    brokers: kafkaBrokers,
    topic: z.string().min(1).describe('the topic each value is produced to'),
    clientId: nonEmpty("the client id the brokers see @default 'consecution'"),
    connectionTimeoutMs: atLeast(1, 'how long connecting to a broker may take @default 10000'),
    retries: atLeast(1, "kafkajs's retries of a failed request, with its backoff, before an append fails (an idempotent producer needs at least 1) @default 5"),
  }),
} satisfies Readonly<Record<string, z.ZodObject>>;

