import { jsonText } from '../connectors/json-text.js';
import { closeNats, connectNats, natsServers, natsSubject, serversText, type NatsSession } from '../connectors/nats.js';
import { ConsecutionError, messageOf } from '../errors.js';
import { nameOption, optionReader, requireOptions, rejectUnknown } from '../stage/args.js';
import { batchedTarget, type BatchedTarget } from './batched-target.js';

/** Options of {@link toNats}. */
export interface NatsTargetOptions {
  /** The servers: one, several comma-separated, or an array. @default 'nats://127.0.0.1:4222' */
  readonly servers?: string | readonly string[];
  /** The subject published to (no wildcards); a JetStream stream must hold it. */
  readonly subject: string;
  /** The target's name in errors. @default 'toNats <subject>' */
  readonly name?: string;
  /** The most messages published at once, whose PubAcks a batch awaits. @default 1000 */
  readonly batchSize?: number;
}

/** A NATS JetStream output target: what {@link toNats} returns. */
export interface NatsTarget<T> extends BatchedTarget<T> {
  /** Appends the stream dropped as duplicates (a `Nats-Msg-Id` it had within its duplicate window): confirmed all the same. */
  readonly duplicates: number;
}

interface PendingMessage {
  readonly data: string;
  readonly key: string | undefined;
}

const KNOWN = ['servers', 'subject', 'name', 'batchSize'];

/**
 * An output target that publishes each value as a JSON message to a JetStream subject
 * (@nats-io/jetstream and @nats-io/transport-node, loaded when the run opens its outputs:
 * `npm install @nats-io/jetstream @nats-io/transport-node`). Its `Nats-Msg-Id` header is the
 * item's idempotency key (`meta.key`): the stream drops a message whose id it stored within its
 * duplicate window (2 minutes by default), so a replayed or redelivered item is stored once. That
 * is the format {@link fromNats} reads, and it makes its keys of that header: one pipeline's
 * output can be the next one's input, with the same keys all the way.
 *
 * Appends made while a batch is being published go together into the next: they are published at
 * once and each is confirmed when its PubAck arrives (a duplicate's too: the stream has it). At
 * open, a server that does not answer, or no stream holding `subject`, fails the run with
 * `OUTPUT_FAILED` naming it, before any item. At-least-once, and exactly once in the stream for a
 * key within the duplicate window.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, { total: number }>;
 * const totals = toNats<{ total: number }>({ subject: 'totals.eu' });
 * await new Consecutor(pipeline, { outputs: { default: totals } }).run([1, 2, 3]);
 * ```
 */
export function toNats<T = unknown>(options: NatsTargetOptions): NatsTarget<T> {
  requireOptions('toNats()', options, 'subject, ...');
  rejectUnknown('toNats()', options, KNOWN);
  const r = optionReader(options, (k) => `toNats(): ${k}`);
  const servers = natsServers(r, options.servers);
  const subject = natsSubject(r, 'subject', options.subject, false);
  const name = nameOption(r, options, 'name', `toNats ${subject}`);
  const batchSize = r.integer('batchSize', 1, 1000);
  let duplicates = 0;
  const target = batchedTarget<T, NatsSession, PendingMessage>({
    name,
    batchSize,
    async connect() {
      const s = await connectNats(servers, 'toNats', 'OUTPUT_FAILED');
      try {
        await s.jsm.streams.find(subject);
      } catch (e) {
        await closeNats(s);
        throw new ConsecutionError('OUTPUT_FAILED', `${name}: no JetStream stream at ${s.where} holds subject "${subject}" (create one first): ${messageOf(e)}`, { cause: e });
      }
      return s;
    },
    encode: (value, meta) => ({ data: jsonText(value, name), key: meta?.key }),
    commit: (s, batch) =>
      Promise.all(
        batch.map(async (m) => {
          try {
            const ack = await s.js.publish(subject, m.data, m.key === undefined ? undefined : { msgID: m.key });
            if (ack.duplicate) duplicates++;
            return undefined;
          } catch (e) {
            return new ConsecutionError('OUTPUT_FAILED', `${name}: publish to ${subject} at ${serversText(servers)} failed: ${messageOf(e)}`, { cause: e });
          }
        }),
      ),
    disconnect: closeNats,
  });
  return {
    ...target,
    get duplicates() {
      return duplicates;
    },
  };
}
