import { withoutPassword } from '../connectors/address.js';
import type { StreamEntry } from '../connectors/redis.js';
import { preview } from '../errors.js';
import { badInput, decodeJson, type DecodedPayload } from './payload.js';
import type { Parsed } from './source.js';

/** How a Redis stream source reads an entry's field: as JSON, or as its text. */
export type RedisEntryFormat = 'json' | 'text';

/** The options of fromRedisStream, checked, with their defaults. */
export interface RedisStreamConfig {
  readonly url: string;
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  readonly claimIdleMs: number;
  readonly count: number;
  readonly blockMs: number;
  readonly format: RedisEntryFormat;
  readonly field: string;
  readonly deadLetterStream: string | undefined;
  readonly name: string;
}

/** What an entry is as an item: its value, or the error that fails it (its value is then the raw text or the fields). */
export type DecodedEntry = DecodedPayload;

/** Reads an entry's field as `o.format`. */
export function decodeEntry(entry: StreamEntry, o: RedisStreamConfig): DecodedEntry {
  const fields = entry.fields ?? {};
  const raw = fields[o.field];
  if (raw === undefined) {
    const names = Object.keys(fields).join(', ') || 'none';
    return { value: fields, error: badInput(`${o.name} entry ${entry.id}: no field "${o.field}" (its fields: ${names}) at ${withoutPassword(o.url)}`, o.name) };
  }
  return decodeText(raw, o, `entry ${entry.id}`);
}

function decodeText(raw: string, o: RedisStreamConfig, what: string): DecodedEntry {
  if (o.format === 'text') return { value: raw, error: undefined };
  return decodeJson(raw, o.name, `${what}: field "${o.field}"`);
}

/** Source.parse: a redriven raw field text read as `format` again. */
export function parseAgain<T>(raw: unknown, o: RedisStreamConfig): Parsed<T> {
  if (typeof raw !== 'string') return { error: badInput(`${o.name}: raw input ${preview(raw)} is not an entry's text, so it cannot be parsed again`, o.name) };
  const d = decodeText(raw, o, 'redriven input');
  return d.error === undefined ? { value: d.value as T } : { error: d.error };
}
