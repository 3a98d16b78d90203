import type { Readable } from 'node:stream';
import { ConsecutionError, messageOf } from '../errors.js';
import type { SourceReader } from './source.js';

/**
 * Reads the lines of a byte stream, optionally parsing each as JSON (NDJSON). A line's position is
 * the byte offset just past it, so a file can be resumed after a line exactly. A malformed NDJSON
 * line is returned as its raw text with `error` set: the run admits and fails it, never crashes.
 */
export class LineReader<T> implements SourceReader<T> {
  /** The byte offset just past the last line read (from the start of the file). */
  position: number;
  error: unknown = undefined;
  private readonly chunks: AsyncIterator<Buffer | string>;
  private readonly input: Readable;
  private readonly ndjson: boolean;
  private readonly name: string;
  private readonly ownsInput: boolean;
  private line = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(options: { input: Readable; ndjson: boolean; name: string; offset: number; ownsInput: boolean }) {
    this.input = options.input;
    this.ndjson = options.ndjson;
    this.name = options.name;
    this.position = options.offset;
    this.ownsInput = options.ownsInput;
    this.chunks = (options.input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  }

  async read(): Promise<IteratorResult<T, unknown>> {
    for (;;) {
      const text = await this.nextLine();
      if (text === undefined) return { done: true, value: undefined };
      this.error = undefined;
      if (!this.ndjson) return { done: false, value: text as T };
      if (text.trim() === '') continue;
      try {
        return { done: false, value: JSON.parse(text) as T };
      } catch (e) {
        this.error = new ConsecutionError('BAD_INPUT', `${this.name} line ${this.line}: not valid JSON (${messageOf(e)})`, {
          node: this.name,
          retryable: false,
          cause: e,
        });
        return { done: false, value: text as T };
      }
    }
  }

  private async nextLine(): Promise<string | undefined> {
    for (;;) {
      const nl = this.buffer.indexOf(10);
      if (nl >= 0 || (this.ended && this.buffer.length > 0)) {
        const end = nl >= 0 ? nl : this.buffer.length;
        const raw = this.buffer.subarray(0, end);
        this.buffer = this.buffer.subarray(nl >= 0 ? nl + 1 : end);
        this.position += end + (nl >= 0 ? 1 : 0);
        this.line++;
        const text = raw.toString('utf8');
        return text.endsWith('\r') ? text.slice(0, -1) : text;
      }
      if (this.ended) return undefined;
      const chunk = await this.chunks.next();
      if (chunk.done === true) this.ended = true;
      else {
        const bytes = typeof chunk.value === 'string' ? Buffer.from(chunk.value, 'utf8') : chunk.value;
        this.buffer = this.buffer.length === 0 ? bytes : Buffer.concat([this.buffer, bytes]);
      }
    }
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
    if (this.ownsInput) this.input.destroy();
  }
}
