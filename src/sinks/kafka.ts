import type { Producer } from 'kafkajs';
import { BROKERS_EXPECTED, brokerList } from '../connectors/kafka.js';
import { loadOptional } from '../connectors/optional.js';
import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import type { WriteMeta } from '../outputs/meta.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import { GroupCommit } from './group-commit.js';

/** Options of {@link toKafka}. */
export interface KafkaTargetOptions<T> {
  /** The brokers to bootstrap from: `['127.0.0.1:9092']`, or one comma-separated string. */
  readonly brokers: readonly string[] | string;
  readonly topic: string;
  /** The message key (it picks the partition: one key's messages stay in order). @default none: kafkajs spreads them */
  readonly key?: (value: T) => string;
  /** The client id the brokers see. @default 'consecution' */
  readonly clientId?: string;
  /** How long connecting to a broker may take. @default 10_000 */
  readonly connectionTimeoutMs?: number;
  /** kafkajs's retries of a failed request, with its backoff, before an append fails (at least 1: an idempotent producer needs them). @default 5 */
  readonly retries?: number;
}

/** A Kafka output target: what {@link toKafka} returns. */
export interface KafkaTarget<T> {
  open(): Promise<void>;
  append(value: T, meta?: WriteMeta): Promise<void>;
  close(): Promise<void>;
}

interface Message {
  readonly key: string | null;
  readonly value: string;
  readonly headers: Record<string, string>;
}

const KNOWN = ['brokers', 'topic', 'key', 'clientId', 'connectionTimeoutMs', 'retries'];

/**
 * An output target that produces each value as a JSON message to a Kafka topic (kafkajs, the
 * optional package `kafkajs`, loaded when the run opens its outputs), through an **idempotent
 * producer** (`acks: -1`, one request in flight): the brokers drop a resent batch by its
 * producer sequence numbers, so kafkajs's own retries add no duplicates. Appends are
 * group-committed: those made while a batch is in flight go together in the next `send`, and each
 * resolves when its batch is acknowledged by all in-sync replicas. An item replayed by the
 * consecutor is a new message (at-least-once across replays); its `idempotency-key` header is the
 * item copy's `meta.key`, the same across replays and restarts, for a consumer to dedupe on.
 *
 * `open()` connects before the run reads anything: unreachable brokers fail the run with
 * `OUTPUT_FAILED` naming them. Tested against a broker only where `KAFKA_BROKERS` is set (no Kafka
 * broker runs on this project's CI machine).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<string, { id: string }>;
 * declare const lines: string[];
 * const orders = toKafka({ brokers: ['127.0.0.1:9092'], topic: 'orders', key: (o: { id: string }) => o.id });
 * await new Consecutor(pipeline, { guarantee: 'replay', outputs: { default: orders } }).run(lines);
 * ```
 */
export function toKafka<T = unknown>(options: KafkaTargetOptions<T>): KafkaTarget<T> {
  if (options === null || typeof options !== 'object') optionReader({}, () => 'toKafka(): options').bad('options', 'an object', options);
  rejectUnknown('toKafka()', options, KNOWN);
  const r = optionReader(options, (k) => `toKafka(): ${k}`);
  const brokers = brokerList(options.brokers) ?? r.bad('brokers', BROKERS_EXPECTED, options.brokers);
  if (typeof options.topic !== 'string' || options.topic.length === 0) r.bad('topic', 'a topic name', options.topic);
  if (options.key !== undefined && typeof options.key !== 'function') r.bad('key', 'a function of the value', options.key);
  if (options.clientId !== undefined && (typeof options.clientId !== 'string' || options.clientId === '')) r.bad('clientId', 'a string', options.clientId);
  const connectionTimeout = r.integer('connectionTimeoutMs', 1, 10_000);
  const retries = r.integer('retries', 1, 5);
  const { topic, key } = options;
  const where = `toKafka ${topic} on ${brokers.join(',')}`;
  let producer: Producer | undefined;
  const sends = new GroupCommit<Message>(async (batch) => {
    try {
      await producer!.send({ topic, acks: -1, messages: batch.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
    } catch (e) {
      throw new ConsecutionError('OUTPUT_FAILED', `${where}: ${messageOf(e)}`, { cause: e });
    }
  });

  return {
    async open() {
      const { Kafka, logLevel } = (await loadOptional<{ default: typeof import('kafkajs') }>('kafkajs', 'toKafka')).default;
      const kafka = new Kafka({ clientId: options.clientId ?? 'consecution', brokers, connectionTimeout, retry: { retries }, logLevel: logLevel.NOTHING });
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      try {
        await p.connect();
      } catch (e) {
        throw new ConsecutionError('OUTPUT_FAILED', `${where}: cannot connect: ${messageOf(e)}`, { cause: e });
      }
      producer = p;
    },
    append(value, meta) {
      if (producer === undefined) return Promise.reject(new ConsecutionError('OUTPUT_FAILED', `${where}: append() before open() or after close()`));
      let message: Message;
      try {
        const body = JSON.stringify(value);
        if (body === undefined) throw new Error(`not JSON: ${previewTyped(value)}`);
        message = { key: key === undefined ? null : key(value), value: body, headers: meta === undefined ? {} : { 'idempotency-key': meta.key } };
      } catch (e) {
        return Promise.reject(new ConsecutionError('OUTPUT_FAILED', `${where}: the value cannot be sent: ${messageOf(e)}`, { retryable: false, cause: e }));
      }
      return sends.append(message);
    },
    async close() {
      await sends.drain();
      const p = producer;
      producer = undefined;
      await p?.disconnect();
    },
  };
}
