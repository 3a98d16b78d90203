import type { IncomingMessage } from 'node:http';
import { ConsecutionError, messageOf } from '../errors.js';
import { parseLine } from './line-format.js';

/** How {@link fromHttp} reads a request body: one JSON value, one item per NDJSON line, or the text. */
export type HttpFormat = 'json' | 'ndjson' | 'text';

/** A body over the limit: {@link readBody} stopped reading it. */
export const TOO_LARGE = Symbol('too large');

/**
 * The body of `req`, or {@link TOO_LARGE} as soon as it is known to exceed `maxBytes` (from its
 * Content-Length, or once that many bytes arrived): what is past the limit is never buffered.
 * Rejects if the client goes away before the body is complete.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | typeof TOO_LARGE> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        req.off('data', onData);
        req.off('end', onEnd);
        first = chunks = undefined;
        resolve(TOO_LARGE);
        return;
      }
      if (first === undefined) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    const onEnd = (): void => resolve(chunks !== undefined ? Buffer.concat(chunks, size) : (first ?? Buffer.alloc(0)));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('the client went away before the body was complete')));
  });
}

/** A body that is no valid input: why, and for NDJSON the number of the first bad line (from 1). */
export interface Malformed {
  readonly error: string;
  readonly line?: number;
}

/**
 * The items of a body: `json` one item (the value), `ndjson` one per non-blank line, `text` the
 * body as one string. Malformed input gives {@link Malformed} instead (the whole body is refused).
 * With `raws`, the text of each `json` or `ndjson` item is pushed onto it (SourceReader.raw:
 * JSON.parse of it gives the item again).
 *
 * @example
 * ```ts
 * parseBody(Buffer.from('{"n":1}\n{"n":2}\n'), 'ndjson'); // [{ n: 1 }, { n: 2 }]
 * parseBody(Buffer.from('{"n":1}\n{"n":'), 'ndjson');     // { error: 'line 2: not valid JSON (...)', line: 2 }
 * const raws: string[] = [];
 * parseBody(Buffer.from('{"n":1}\r\n'), 'ndjson', raws); // [{ n: 1 }], and raws is ['{"n":1}']
 * ```
 */
export function parseBody(body: Buffer, format: HttpFormat, raws?: string[]): unknown[] | Malformed {
  const text = body.toString('utf8');
  if (format === 'text') return [text];
  if (format === 'json') {
    try {
      const value = JSON.parse(text) as unknown;
      raws?.push(text);
      return [value];
    } catch (e) {
      return { error: text.trim() === '' ? 'the body is empty: expected one JSON value' : `not valid JSON (${messageOf(e)})` };
    }
  }
  const items: unknown[] = [];
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    const value = parseLine(raw, 'ndjson', 'body', line);
    if (value instanceof ConsecutionError) return { error: value.message.replace(/^body /, ''), line };
    if (value !== undefined) {
      items.push(value);
      raws?.push(raw);
    }
    start = end + 1;
  }
  return items;
}
