import { natsName, natsServers, natsSubject } from '../connectors/nats.js';
import { nameOption, optionReader, requireOptions, rejectUnknown } from '../stage/args.js';
import { parseAgain, type NatsMessageFormat, type NatsSourceConfig } from './nats-message.js';
import { NatsReader } from './nats-reader.js';
import { brokerSource, type BrokerSource } from './broker-source.js';

export type { NatsMessageFormat } from './nats-message.js';

/** Options of {@link fromNats}. */
export interface NatsSourceOptions {
  /** The servers: one, several comma-separated, or an array. @default 'nats://127.0.0.1:4222' */
  readonly servers?: string | readonly string[];
  /** The JetStream stream to consume (it must exist: fromNats does not create streams). */
  readonly stream: string;
  /**
   * The durable pull consumer's name: the same in every copy of the pipeline, which then share
   * its messages. Created when absent; an existing one is used as it is configured.
   */
  readonly consumer: string;
  /** The consumer's filter subject, when it is created (`orders.eu`, `orders.*`); an existing consumer must filter the same. @default the whole stream */
  readonly subject?: string;
  /** The consumer's ack wait, when it is created: a message not acked for this long is delivered again. @default 30_000 */
  readonly ackWaitMs?: number;
  /**
   * The consumer's max_deliver, when it is created: deliveries of a message before the server
   * gives up on it. The last delivery is dead-lettered (`DELIVERY_LIMIT`) instead of processed, so
   * that a message that kills every copy that takes it ends in the dead letters rather than lost.
   * A stop or a crash counts a delivery of each message in flight: set it well above the restarts
   * a message may see. The run's `retries` are replays within one delivery, not deliveries.
   * @default unlimited
   */
  readonly maxDeliver?: number;
  /** The most messages one pull request asks for; keep it at most the run's maxPending. @default 100 */
  readonly batch?: number;
  /**
   * How long one pull request waits for messages before the next is made (at least 1000). A stop
   * waits for the request in flight to end (the server cannot take one back), so that what it
   * brings is handed back rather than stranded until its ack wait: at most this long.
   * @default 1000
   */
  readonly fetchWaitMs?: number;
  /** How the payload is read: `json` (JSON.parse of its UTF-8 text), `text`, or `bytes` (a Uint8Array). @default 'json' */
  readonly format?: NatsMessageFormat;
  /** A subject (held by a stream) to which the failure record of each dead-lettered message is published, as JSON. @default none */
  readonly deadLetterSubject?: string;
  /** The source's name in errors and failure records. @default 'nats <stream> <consumer>' */
  readonly name?: string;
}

/** A NATS JetStream source: a {@link Source} that also counts the messages it was given again. */
export type NatsSource<T> = BrokerSource<T>;

const KNOWN = ['servers', 'stream', 'consumer', 'subject', 'ackWaitMs', 'maxDeliver', 'batch', 'fetchWaitMs', 'format', 'deadLetterSubject', 'name'];
const FORMATS: readonly NatsMessageFormat[] = ['json', 'text', 'bytes'];

/**
 * A source of the messages of a NATS JetStream stream, read through a durable pull consumer
 * (@nats-io/jetstream and @nats-io/transport-node, loaded when the run opens it:
 * `npm install @nats-io/jetstream @nats-io/transport-node`). Copies of a pipeline that use the
 * same consumer share its messages: the way to scale a pipeline out.
 *
 * Each message is an item: its payload read as `format`; its position is its stream sequence. A
 * payload that is not valid JSON is a failed item (`BAD_INPUT` naming the stream and sequence,
 * dead-lettered with its text). Messages are fetched `batch` at a time; the next pull is made
 * once the run has taken the last one's. The consumer is created when absent (from the stream's
 * first message, explicit acks); the stream must exist: an absent one, like an unreachable
 * server, fails the run with `SOURCE_FAILED` naming it, before any item.
 *
 * An item's copies get idempotency keys (`meta.key`) made of the message's identity, the same in
 * every copy of the pipeline: its `Nats-Msg-Id` header (the key toNats gave it upstream), else
 * `<stream>:<sequence>`. A sink that dedupes by key (toNats, toPostgres with `keyColumn`) then
 * drops what a redelivered message writes again.
 *
 * Guarantee: at least once, by the broker (no store needed). A message is acked when its item
 * completed; a dead-lettered one is terminated (`term`: never delivered again), once its failure
 * record is stored on `deadLetterSubject` when that is given. Every half ack wait, each message
 * held (fetched, not yet settled) gets `working()`, which restarts its ack wait: an item may take
 * longer than `ackWaitMs` without being delivered to another copy. A copy that dies (kill -9)
 * holds nothing: after the ack wait, its messages go to the others. At a stop, the messages the
 * run took and did not settle stay unacked (redelivered after the ack wait, to this consumer's
 * copies); those fetched and not yet taken are handed back at once (`nak`). A message is
 * processed more than once only after such a redelivery: {@link NatsSource.redelivered} counts
 * them. The broker is the durability: a run needs no store (with one, a message in flight at a
 * crash comes back twice, from the journal and from the server).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, unknown>;
 * const orders = fromNats({ stream: 'ORDERS', consumer: 'billing', subject: 'orders.eu', ackWaitMs: 30_000 });
 * const c = new Consecutor(pipeline, { maxPending: 100 });
 * process.once('SIGTERM', () => void c.stop());
 * await c.run(orders);
 * ```
 */
export function fromNats<T = unknown>(options: NatsSourceOptions): NatsSource<T> {
  const o = checkOptions(options);
  return brokerSource<T>(o.name, (raw) => parseAgain<T>(raw, o), (context, counts) => new NatsReader(o, context, counts));
}

function checkOptions(options: NatsSourceOptions): NatsSourceConfig {
  requireOptions('fromNats()', options, 'stream, consumer, ...');
  rejectUnknown('fromNats()', options, KNOWN);
  const r = optionReader(options, (k) => `fromNats(): ${k}`);
  const servers = natsServers(r, options.servers);
  const stream = natsName(r, options, 'stream');
  const consumer = natsName(r, options, 'consumer');
  const fetchWaitMs = r.timeout('fetchWaitMs', 1000);
  if (fetchWaitMs < 1000) r.bad('fetchWaitMs', 'at least 1000 (ms; the shortest pull request nats.js makes)', fetchWaitMs);
  return {
    servers,
    stream,
    consumer,
    subject: options.subject === undefined ? undefined : natsSubject(r, 'subject', options.subject, true),
    ackWaitMs: r.timeout('ackWaitMs', 30_000),
    maxDeliver: r.integer('maxDeliver', 1, -1),
    batch: r.integer('batch', 1, 100),
    fetchWaitMs,
    format: r.oneOf('format', FORMATS, 'json'),
    deadLetterSubject: options.deadLetterSubject === undefined ? undefined : natsSubject(r, 'deadLetterSubject', options.deadLetterSubject, false),
    name: nameOption(r, options, 'name', `nats ${stream} ${consumer}`),
  };
}
