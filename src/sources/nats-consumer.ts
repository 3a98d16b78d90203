import type { Consumer, ConsumerConfig, ConsumerInfo } from '@nats-io/jetstream';
import { isNatsError, type NatsSession } from '../connectors/nats.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { NatsSourceConfig } from './nats-message.js';

/** A durable pull consumer, and its ack wait (the consumer's own, when it existed already). */
export interface DurableConsumer {
  readonly consumer: Consumer;
  readonly ackWaitMs: number;
}

/**
 * Finds the durable pull consumer `o.consumer` of `o.stream`, or creates it (explicit acks,
 * `ack_wait` = `o.ackWaitMs`, `filter_subject` = `o.subject`, from the stream's first message).
 * An existing one is used as it is configured, but it must be a pull consumer with explicit acks,
 * filtering `o.subject` when that is given. Checks too that a stream holds `o.deadLetterSubject`.
 * Rejects with `SOURCE_FAILED` naming what is missing.
 */
export async function durableConsumer(s: NatsSession, o: NatsSourceConfig): Promise<DurableConsumer> {
  const failed = (what: string, e?: unknown) =>
    new ConsecutionError('SOURCE_FAILED', `${o.name}: ${what}${e === undefined ? '' : `: ${messageOf(e)}`}`, e === undefined ? {} : { cause: e });
  let info: ConsumerInfo;
  try {
    info = await s.jsm.consumers.info(o.stream, o.consumer);
  } catch (e) {
    if (isNatsError(e, 'StreamNotFoundError')) throw failed(`no stream "${o.stream}" at NATS ${s.where} (fromNats does not create streams: create it first)`, e);
    if (!isNatsError(e, 'ConsumerNotFoundError')) throw failed(`could not look up consumer "${o.consumer}" of stream "${o.stream}" at ${s.where}`, e);
    info = await create(s, o).catch(async (e: unknown) => {
      // Another copy created it meanwhile: the same name, perhaps another config (checked below).
      try {
        return await s.jsm.consumers.info(o.stream, o.consumer);
      } catch {
        throw failed(`could not create consumer "${o.consumer}" of stream "${o.stream}" at ${s.where}`, e);
      }
    });
  }
  const c = info.config;
  const which = `consumer "${o.consumer}" of stream "${o.stream}"`;
  if (c.deliver_subject !== undefined && c.deliver_subject !== '') throw failed(`${which} is a push consumer (deliver_subject ${c.deliver_subject}); fromNats needs a pull consumer`);
  if (c.ack_policy !== 'explicit') throw failed(`${which} has ack_policy ${c.ack_policy}; fromNats needs explicit acks`);
  if (o.subject !== undefined && (c.filter_subject ?? '') !== o.subject) {
    throw failed(`${which} exists with filter_subject "${c.filter_subject ?? ''}", not subject "${o.subject}" (use another consumer name, or delete it)`);
  }
  if (o.deadLetterSubject !== undefined) {
    try {
      await s.jsm.streams.find(o.deadLetterSubject);
    } catch (e) {
      throw failed(`no stream at ${s.where} holds deadLetterSubject "${o.deadLetterSubject}"`, e);
    }
  }
  try {
    return { consumer: await s.js.consumers.get(o.stream, o.consumer), ackWaitMs: Math.max(1, Math.round((c.ack_wait ?? 30e9) / 1e6)) };
  } catch (e) {
    throw failed(`could not open ${which} at ${s.where}`, e);
  }
}

function create(s: NatsSession, o: NatsSourceConfig): Promise<ConsumerInfo> {
  const config: Partial<ConsumerConfig> = {
    durable_name: o.consumer,
    ack_policy: 'explicit',
    deliver_policy: 'all',
    ack_wait: o.ackWaitMs * 1e6,
    max_deliver: o.maxDeliver,
    ...(o.subject === undefined ? {} : { filter_subject: o.subject }),
  };
  return s.jsm.consumers.add(o.stream, config);
}
