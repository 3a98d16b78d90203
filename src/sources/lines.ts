import type { Readable } from 'node:stream';
import { ConsecutionError } from '../errors.js';
import { parseLine, type LineOptions, type LinePosition } from './line-format.js';
import type { SourceProgress, SourceReader } from './source.js';

/** How much of a line longer than maxLineBytes its failed item keeps. */
const HEAD_BYTES = 256;
const LF = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);
/** What a resumed reader must still do before the first line (see LineReader.skipLead). */
const LEAD_DONE = 0;
const LEAD_BYTE_BEFORE = 1;
const LEAD_BREAK_DUE = 2;

/** How a {@link LineReader} reads. */
export interface LineReaderOptions extends Required<LineOptions> {
  readonly input: Readable;
  /** The source's name in errors. */
  readonly name: string;
  /**
   * Where `input` starts: its byte offset, and the number of lines before it (or how to count
   * them). With `byteBefore`, `input` starts one byte earlier, at the last byte of the line before.
   */
  readonly start: { readonly offset: number; readonly line: number | (() => Promise<number>); readonly byteBefore?: boolean };
  /** Whether closing the reader destroys `input`. */
  readonly ownsInput: boolean;
  /** The input's size in bytes, when known (a file): the reader's progress. */
  readonly totalBytes?: number;
}

/**
 * Reads the lines of a byte stream ('\n' or '\r\n' line breaks, a last line without one), in
 * linear time: a line that spans chunks is joined once, when its end arrives. An item's position
 * is a {@link LinePosition}, so a file can be resumed after a line exactly, with its real line
 * numbers. Bad input (a line longer than `maxLineBytes`, a malformed NDJSON line) is returned with
 * `error` set: the run admits and fails it, and goes on.
 *
 * @example
 * ```ts
 * import { Readable } from 'node:stream';
 * import { LineReader } from './lines.js';
 * const input = Readable.from([Buffer.from('{"n":1}\n')]);
 * const reader = new LineReader({ input, format: 'ndjson', maxLineBytes: 1 << 20, name: 'in', start: { offset: 0, line: 0 }, ownsInput: true });
 * await reader.read(); // { done: false, value: { n: 1 } }, and reader.position is { offset: 8, line: 1 }
 * ```
 */
export class LineReader<T> implements SourceReader<T> {
  /** The position of the last item read. */
  position: LinePosition;
  error: unknown = undefined;
  /** The text of the last item, when it was parsed from it (ndjson; see SourceReader.raw). */
  raw: string | undefined = undefined;
  private readonly chunks: AsyncIterator<unknown>;
  private readonly options: LineReaderOptions;
  // One result object, reused: the consecutor reads it before it calls read() again.
  private readonly result = { done: false as const, value: undefined as T };
  private countLines: (() => Promise<number>) | undefined;
  /** The byte offset just past the last line split off, and its number. */
  private offset: number;
  private line: number;
  /** The chunk being split, and where its unsplit bytes start. */
  private chunk: Buffer = EMPTY;
  private at = 0;
  /** The start of a line that spans chunks: its parts (none once it is too long), their length, whether they end in '\r'. */
  private parts: Buffer[] = [];
  private partBytes = 0;
  private partCr = false;
  /** The first bytes of a line found longer than maxLineBytes: the rest of it is counted, not kept. */
  private head: string | undefined = undefined;
  /** The length of the line just split off when it was too long (else -1). */
  private tooLong = -1;
  private lead: number;
  private ended = false;

  constructor(options: LineReaderOptions) {
    this.options = options;
    this.offset = options.start.offset;
    const line = options.start.line;
    this.line = typeof line === 'number' ? line : 0;
    this.countLines = typeof line === 'number' ? undefined : line;
    this.lead = options.start.byteBefore === true ? LEAD_BYTE_BEFORE : LEAD_DONE;
    this.position = { offset: this.offset, line: this.line };
    this.chunks = (options.input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  }

  read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
    // A line already at hand is returned at once: no promise, and a pass of the run reads many.
    return (this.countLines === undefined ? this.next() : undefined) ?? this.readMore();
  }

  progress(): SourceProgress | undefined {
    const total = this.options.totalBytes;
    return total === undefined ? undefined : { done: this.offset, total: Math.max(total, this.offset), unit: 'bytes' };
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
    if (this.options.ownsInput) this.options.input.destroy();
  }

  private async readMore(): Promise<IteratorResult<T, unknown>> {
    if (this.countLines !== undefined) {
      this.line = await this.countLines();
      this.countLines = undefined;
    }
    for (;;) {
      const r = this.next();
      if (r !== undefined) return r;
      if (this.ended) return { done: true, value: undefined };
      await this.fill();
    }
  }

  /** The next item from the bytes at hand, or undefined when more must be read first. */
  private next(): IteratorResult<T, unknown> | undefined {
    for (let text = this.split(); text !== undefined; text = this.split()) {
      const value = this.tooLong >= 0 ? this.tooLongItem(text) : this.parse(text);
      if (value === undefined) continue;
      this.position = { offset: this.offset, line: this.line };
      this.result.value = value as T;
      return this.result;
    }
    return undefined;
  }

  private parse(text: string): unknown {
    const format = this.options.format;
    const value = parseLine(text, format, this.options.name, this.line);
    if (value instanceof ConsecutionError) {
      this.error = value;
      this.raw = undefined;
      return text;
    }
    this.error = undefined;
    this.raw = format === 'ndjson' ? text : undefined;
    return value;
  }

  private tooLongItem(head: string): string {
    this.raw = undefined;
    const { name, maxLineBytes } = this.options;
    this.error = new ConsecutionError(
      'BAD_INPUT',
      `${name} line ${this.line}: ${this.tooLong} bytes exceeds maxLineBytes=${maxLineBytes} (the item holds its first ${HEAD_BYTES} bytes)`,
      { node: name, retryable: false },
    );
    this.tooLong = -1;
    return `${head}…`;
  }

  /** Splits off the next line of the chunk (or the last line, at the end): its text; undefined when none is complete. */
  private split(): string | undefined {
    const chunk = this.chunk;
    const start = this.at;
    if (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      if (lf >= 0) {
        this.at = lf + 1;
        return this.complete(chunk, start, lf, 1);
      }
      this.hold(chunk, start);
      this.at = chunk.length;
    }
    return this.ended && this.partBytes > 0 ? this.complete(EMPTY, 0, 0, 0) : undefined;
  }

  /** Keeps the rest of a chunk as part of a line to come, unless the line is already too long. */
  private hold(chunk: Buffer, start: number): void {
    this.partBytes += chunk.length - start;
    this.partCr = chunk[chunk.length - 1] === CR;
    if (this.head !== undefined) return;
    this.parts.push(start === 0 ? chunk : chunk.subarray(start));
    // One byte more is allowed: it may be the '\r' of a '\r\n'.
    if (this.partBytes > this.options.maxLineBytes + 1) {
      this.head = headOf(this.parts);
      this.parts = [];
    }
  }

  /** Ends the line held so far at `chunk[end]` (a '\n', or the end of input with `lf` 0): its text. */
  private complete(chunk: Buffer, start: number, end: number, lf: number): string {
    const bytes = this.partBytes + end - start;
    const cr = end > start ? chunk[end - 1] === CR : this.partCr;
    const length = cr ? bytes - 1 : bytes;
    this.offset += bytes + lf;
    this.line++;
    const parts = this.parts;
    let text: string;
    if (this.head !== undefined || length > this.options.maxLineBytes) {
      text = this.head ?? headOf([...parts, chunk.subarray(start, end)]);
      this.tooLong = length;
    } else if (parts.length === 0) {
      text = chunk.toString('utf8', start, start + length);
    } else {
      parts.push(chunk.subarray(start, end));
      text = Buffer.concat(parts, bytes).toString('utf8', 0, length);
    }
    if (parts.length > 0) this.parts = [];
    this.partBytes = 0;
    this.partCr = false;
    this.head = undefined;
    return text;
  }

  private async fill(): Promise<void> {
    const next = await this.chunks.next();
    this.at = 0;
    if (next.done === true) {
      this.ended = true;
      this.chunk = EMPTY;
    } else {
      this.chunk = toBuffer(next.value);
      if (this.lead !== LEAD_DONE) this.skipLead();
    }
  }

  /**
   * Resumed, the input starts at the last byte of the line before. If that is no '\n', the line
   * was the file's last when it was read: a '\n' appended since is its line break, not a line.
   */
  private skipLead(): void {
    const chunk = this.chunk;
    if (this.lead === LEAD_BYTE_BEFORE && this.at < chunk.length) this.lead = chunk[this.at++] === LF ? LEAD_DONE : LEAD_BREAK_DUE;
    if (this.lead === LEAD_BREAK_DUE && this.at < chunk.length) {
      if (chunk[this.at] === LF) {
        this.at++;
        this.offset++;
      }
      this.lead = LEAD_DONE;
    }
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  const bytes = chunk as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The first HEAD_BYTES of a line's parts as text, cut before a character split in two. */
function headOf(parts: readonly Buffer[]): string {
  let total = 0;
  for (const p of parts) total += p.length;
  // One byte more, to see whether the cut falls inside a character.
  const bytes = Buffer.concat(parts, Math.min(HEAD_BYTES + 1, total));
  let end = Math.min(HEAD_BYTES, total);
  // A UTF-8 continuation byte (10xxxxxx) just past the cut: back to the start of its character.
  while (end > 0 && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.toString('utf8', 0, end);
}
