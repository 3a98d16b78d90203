import type { JsMsg } from '@nats-io/jetstream';
import { preview } from '../errors.js';
import { badInput, decodeJson, type DecodedPayload } from './payload.js';
import type { Parsed } from './source.js';

/** How fromNats reads a message's payload: as JSON, as UTF-8 text, or as its bytes (a Uint8Array). */
export type NatsMessageFormat = 'json' | 'text' | 'bytes';

/** The options of fromNats, checked, with their defaults. */
export interface NatsSourceConfig {
  readonly servers: readonly string[];
  readonly stream: string;
  readonly consumer: string;
  readonly subject: string | undefined;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly batch: number;
  readonly fetchWaitMs: number;
  readonly format: NatsMessageFormat;
  readonly deadLetterSubject: string | undefined;
  readonly name: string;
}

/** The header by which JetStream drops a duplicate within its window, and toNats writes the item's key. */
export const MSG_ID = 'Nats-Msg-Id';

const text = new TextDecoder();

/** A message's payload read as `o.format`; malformed JSON fails with `BAD_INPUT` naming the stream and sequence. */
export function decodeMessage(msg: JsMsg, o: NatsSourceConfig): DecodedPayload {
  if (o.format === 'bytes') return { value: msg.data.slice(), error: undefined };
  const raw = text.decode(msg.data);
  if (o.format === 'text') return { value: raw, error: undefined };
  return decodeJson(raw, o.name, `message ${msg.info.streamSequence} of stream ${o.stream} (subject ${msg.subject})`);
}

/**
 * The message's identity outside this process, the same for every copy of a pipeline that gets
 * it: its `Nats-Msg-Id` (the key of the item an upstream toNats published), else
 * `<stream>:<stream sequence>`.
 */
export function messageKey(msg: JsMsg, stream: string): string {
  return msg.headers?.get(MSG_ID) || `${stream}:${msg.info.streamSequence}`;
}

/** Source.parse: a redriven raw payload text read as `format` again. */
export function parseAgain<T>(raw: unknown, o: NatsSourceConfig): Parsed<T> {
  if (o.format === 'bytes') return raw instanceof Uint8Array ? { value: raw as T } : { error: badInput(`${o.name}: raw input ${preview(raw)} is not a message's bytes`, o.name) };
  if (typeof raw !== 'string') return { error: badInput(`${o.name}: raw input ${preview(raw)} is not a message's text, so it cannot be parsed again`, o.name) };
  if (o.format === 'text') return { value: raw as T };
  const d = decodeJson(raw, o.name, 'redriven input');
  return d.error === undefined ? { value: d.value as T } : { error: d.error };
}
