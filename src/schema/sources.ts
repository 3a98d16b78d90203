import { z } from 'zod';
import { atLeast, flag, lineShape, MAX_TIMEOUT_MS, nonEmpty, pgConnection, tickShape, timeoutMs, zmqUri } from './common.js';
import { natsFilter, natsName, natsServers, natsSubject } from './nats.js';
import { redisStreamKey, redisUrl } from './redis.js';

/** Whether `timezone` is a time zone `Intl` knows, as fromCron checks it. */
const isTimezone = (timezone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
};

/**
 * The schemas of the sources' options objects, by source, with the ranges each source's own
 * checks take: the options a pipeline file can give (not functions nor streams, which only code
 * can), and not the positional params (fromFile's `path`, fromCron's expression, watchDirectory's
 * `dir`), which the built-ins of pipeline files add. Unknown keys are refused.
 *
 * @example
 * ```ts
 * sourceSchemas.fromHttp.parse({ port: 8080, format: 'ndjson' });
 * sourceSchemas.fromFile.safeParse({ fromat: 'ndjson' }).success; // false: unrecognized_keys
 * ```
 */
export const sourceSchemas = {
  fromFile: z.strictObject({
    ...lineShape,
    name: z.string().optional().describe("the source's name in errors @default the file's name"),
  }),
  fromStdin: z.strictObject({
    ...lineShape,
    name: z.string().optional().describe("the source's name in errors @default 'stdin'"),
  }),
  fromHttp: z.strictObject({
    port: z.int().min(0).max(65535).describe('the port to listen on; 0 for any free one'),
    host: nonEmpty("the interface to listen on: '0.0.0.0' for every one @default '127.0.0.1' (this machine only)"),
    path: z.string().startsWith('/').optional().describe("the one path items are POSTed to; any other answers 404 @default '/'"),
    format: z.enum(['json', 'ndjson', 'text']).optional().describe("json: the body is one item; ndjson: one item per non-blank line; text: the body is one string item @default 'json'"),
    maxBodyBytes: atLeast(1, 'a longer body is answered 413, and not read further @default 1 MiB'),
    token: nonEmpty('when set, a request without Authorization: Bearer <token> is answered 401'),
    respond: z
      .enum(['admitted', 'completed'])
      .optional()
      .describe("admitted: 202 once the items are admitted (journaled); completed: 200/422 once they all settled @default 'admitted'"),
    timeoutMs: timeoutMs('a request not answered by then gets 504 with the ids admitted so far (they are still processed) @default 30000'),
    waitMs: timeoutMs('how long a request waits for room while the run is at maxPending before it is answered 429 @default 1000'),
    idempotencyKeys: atLeast(0, 'how many Idempotency-Keys are remembered (the newest); 0: none @default 10000'),
    idempotencyTtlMs: atLeast(1, 'how long an Idempotency-Key is remembered, in ms @default 24 h'),
    name: nonEmpty("the source's name (its state in the store is kept under it) @default http:<port><path>"),
  }),
  fromZmq: z.strictObject({
    uri: zmqUri,
    pattern: z.enum(['pull', 'sub']).describe('pull: a PULL socket (the other side PUSHes); sub: a SUB socket (the other side PUBlishes)'),
    topics: z.array(z.string()).optional().describe("pattern sub only: the topic prefixes subscribed to (matched on the message's first frame) @default every message"),
    format: z.enum(['json', 'ndjson', 'text']).optional().describe("json: a message is one item; ndjson: one item per line; text: its text @default 'json'"),
    bind: flag('bind uri (this side is the service); false connects to it @default true'),
    name: nonEmpty("the source's name in errors and failure records @default 'zmq <pattern> <uri>'"),
  }),
  fromInterval: z.strictObject({
    everyMs: z.int().min(1).describe('the time between two scheduled ticks, in ms'),
    ...tickShape,
  }),
  fromCron: z.strictObject({
    ...tickShape,
    timezone: z
      .string()
      .refine(isTimezone, "an IANA time zone such as 'Europe/Paris' or 'UTC'")
      .optional()
      .describe("the IANA time zone the expression is read in, such as 'Europe/Paris' or 'UTC' @default the process's local time zone"),
  }),
  watchDirectory: z.strictObject({
    pattern: nonEmpty('only files whose path relative to the directory matches this glob @default every file'),
    recursive: flag('watch the subdirectories too, at any depth @default false'),
    minAgeMs: atLeast(0, 'a file is emitted once it has not changed (size and mtime) for this long; 0: as soon as seen @default 0'),
    existing: flag('emit the files already there when the watch starts (else only those that appear or change later) @default true'),
    name: nonEmpty("the source's name in errors, and the key of its state in the store @default the directory's name"),
  }),
  fromPostgres: z.strictObject({
    connection: pgConnection,
    query: z
      .string()
      .refine((q) => q.trim() !== '', 'a non-empty SQL string')
      .describe("the query whose rows are the items, with $1, $2... for params; with key, written without ORDER BY or LIMIT"),
    params: z.array(z.unknown()).optional().describe("the values of the query's $1, $2... @default []"),
    key: nonEmpty("a unique, never null column of the query's rows: the query is read in keyset pages ordered by it, and a restart resumes after the last key journaled"),
    batchSize: atLeast(1, 'rows fetched per round trip: the cursor\'s batch, or the keyset page @default 500'),
    name: nonEmpty("the source's name in errors @default 'postgres'"),
  }),
  fromRedisStream: z.strictObject({
    url: redisUrl,
    stream: redisStreamKey,
    group: z.string().min(1).describe('the consumer group; created when absent, from id 0 (it reads the entries the stream holds already)'),
    consumer: z.string().min(1).describe("this copy's consumer name in the group: unique among the copies running at once, the same when one restarts"),
    claimIdleMs: timeoutMs("entries of other consumers unacked for this long are claimed (their consumer is taken for dead) @default 30000"),
    count: atLeast(1, 'the most entries asked for at once (XREADGROUP and XAUTOCLAIM COUNT); keep it at most maxPending @default 100'),
    blockMs: timeoutMs('how long one read waits for new entries before it looks again (XREADGROUP BLOCK) @default 1000'),
    format: z.enum(['json', 'text']).optional().describe("json: the field is parsed as JSON; text: the field's string @default 'json'"),
    field: nonEmpty("the entry's field that holds the item @default 'data'"),
    deadLetterStream: nonEmpty("a stream to which each dead-lettered entry's failure record is added (as JSON in field) @default none"),
    name: nonEmpty("the source's name in errors and failure records @default 'redis <stream> <group>'"),
  }),
  fromNats: z.strictObject({
    servers: natsServers,
    stream: natsName('the JetStream stream to consume (it must exist: fromNats does not create streams)'),
    consumer: natsName("the durable pull consumer's name, the same in every copy (they share its messages); created when absent"),
    subject: natsFilter.optional().describe("the consumer's filter subject when it is created ('orders.eu', 'orders.*'); an existing consumer must filter the same @default the whole stream"),
    ackWaitMs: timeoutMs("the consumer's ack wait when it is created: a message not acked for this long is delivered again (held ones get working() every half of it) @default 30000"),
    maxDeliver: atLeast(1, "the consumer's max_deliver when it is created @default unlimited"),
    batch: atLeast(1, 'the most messages one pull request asks for; keep it at most maxPending @default 100'),
    fetchWaitMs: z.int().min(1000).max(MAX_TIMEOUT_MS).optional().describe('how long one pull request waits for messages before the next is made (at least 1000; a stop waits for the one in flight) @default 1000'),
    format: z.enum(['json', 'text', 'bytes']).optional().describe("json: the payload parsed as JSON; text: its UTF-8 string; bytes: a Uint8Array @default 'json'"),
    deadLetterSubject: natsSubject.optional().describe("a subject (held by a stream) to which each dead-lettered message's failure record is published as JSON @default none"),
    name: nonEmpty("the source's name in errors and failure records @default 'nats <stream> <consumer>'"),
  }),
} satisfies Readonly<Record<string, z.ZodObject>>;
