import type { Pull, Subscriber } from 'zeromq';
import { openZmqSocket, zmqEndpoint, type ZmqEndpoint } from '../connectors/zmq.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { parseLine } from './line-format.js';
import { badInput } from './payload.js';
import type { Parsed, Source, SourceReader } from './source.js';

/** How a ZeroMQ source reads a message: one JSON value, JSON lines (an item per line), or its text. */
export type MessageFormat = 'json' | 'ndjson' | 'text';

/** Options of {@link fromZmq}. */
export interface ZmqSourceOptions {
  /** The endpoint, such as 'tcp://127.0.0.1:5555' or 'ipc:///tmp/feed'. */
  readonly uri: string;
  /** `'pull'`: a PULL socket (the other side PUSHes); `'sub'`: a SUB socket (the other side PUBlishes). */
  readonly pattern: 'pull' | 'sub';
  /** `'sub'` only: the topic prefixes subscribed to (matched on the message's first frame). @default every message */
  readonly topics?: readonly string[];
  /** @default 'json' */
  readonly format?: MessageFormat;
  /** Bind `uri` (this side is the service); false connects to it. @default true */
  readonly bind?: boolean;
  /** The source's name in errors and failure records. @default 'zmq <pattern> <uri>' */
  readonly name?: string;
}

/** Where a ZeroMQ source is: the message's number in this run (from 1), and the line in it (from 1; 1 but for ndjson). */
export interface ZmqPosition {
  readonly message: number;
  readonly line: number;
}

const FORMATS: readonly MessageFormat[] = ['json', 'ndjson', 'text'];

/**
 * A source of the messages of a ZeroMQ PULL or SUB socket (zeromq 6, the optional package
 * `zeromq`, loaded when the run opens the source). It binds `uri` by default and connects with
 * `bind: false`; a bind that fails (the address is in use) fails the run with `SOURCE_FAILED`
 * naming the uri, before any item. A message's last frame is its body (a topic frame before it is
 * not part of the item), read as `format`; a malformed message (or ndjson line) becomes a failed
 * item (`BAD_INPUT`, dead-lettered with its text), and the run goes on.
 *
 * Guarantee: ZeroMQ has no acknowledgement, so a message is safe once it is admitted (journaled,
 * on a durable store: it survives a kill -9 from then on and is replayed by the next run). The
 * socket is read only while the run has room (`maxPending`): meanwhile messages queue in the
 * socket, up to its high-water mark (1,000), and then a PUSH peer blocks while a PUB peer drops
 * them (ZeroMQ's rule). Messages received and not yet admitted are lost at a stop or a crash:
 * those queued in the socket, and those the source took from it but the run has not read yet (it
 * takes up to 256 ready messages at once, so that they are journaled in one commit; and the rest
 * of an ndjson message).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, unknown>;
 * const c = new Consecutor(pipeline, { store: { path: './state' } });
 * const done = c.run(fromZmq({ uri: 'tcp://127.0.0.1:5555', pattern: 'pull', format: 'json' }));
 * process.once('SIGTERM', () => void c.stop());
 * await done;
 * ```
 */
export function fromZmq<T = unknown>(options: ZmqSourceOptions): Source<T> {
  const { endpoint, r } = zmqEndpoint('fromZmq', options, ['pull', 'sub'] as const, true, ['topics', 'format', 'name']);
  const format = r.oneOf('format', FORMATS, 'json');
  const topics = options.topics;
  if (topics !== undefined) {
    if (endpoint.pattern !== 'sub') r.bad('topics', "given only with pattern 'sub'", topics);
    if (!Array.isArray(topics) || !topics.every((t) => typeof t === 'string')) r.bad('topics', 'an array of strings', topics);
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) r.bad('name', 'a non-empty string', options.name);
  const name = options.name ?? `zmq ${endpoint.pattern} ${endpoint.uri}`;
  return {
    name,
    parse: (raw) => parseAgain<T>(raw, format, name),
    open: () => new ZmqReader<T>(endpoint, topics ?? [], format, name),
  };
}

/** One item of a message: its value, or the error that fails it (its value is then the raw text). */
interface Decoded {
  readonly value: unknown;
  readonly error: ConsecutionError | undefined;
  readonly message: number;
  readonly line: number;
}

/** Adds to `items` the items of the body of message number `message`. */
function decode(items: Decoded[], text: string, format: MessageFormat, name: string, message: number): void {
  if (format === 'text') {
    items.push({ value: text, error: undefined, message, line: 1 });
    return;
  }
  if (format === 'json') {
    try {
      items.push({ value: JSON.parse(text) as unknown, error: undefined, message, line: 1 });
    } catch (e) {
      items.push({ value: text, error: badInput(`${name} message ${message}: not valid JSON (${messageOf(e)})`, name, e), message, line: 1 });
    }
    return;
  }
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    const value = parseLine(line, 'ndjson', `${name} message ${message}`, i + 1);
    if (value instanceof ConsecutionError) items.push({ value: line, error: value, message, line: i + 1 });
    else if (value !== undefined) items.push({ value, error: undefined, message, line: i + 1 });
  }
}

/** {@link Source.parse}: a redriven raw message (or ndjson line) read as `format` again. */
function parseAgain<T>(raw: unknown, format: MessageFormat, name: string): Parsed<T> {
  if (typeof raw !== 'string') return { error: badInput(`${name}: raw input ${preview(raw)} is not a message's text, so it cannot be parsed again`, name) };
  const items: Decoded[] = [];
  decode(items, raw, format === 'ndjson' ? 'json' : format, name, 0);
  const first = items[0]!;
  return first.error === undefined ? { value: first.value as T } : { error: first.error };
}

/** At most this many messages are taken from the socket at once, when it has them ready. */
const RECEIVE_BATCH = 256;

class ZmqReader<T> implements SourceReader<T> {
  position: ZmqPosition | undefined = undefined;
  error: unknown = undefined;
  /** close() ends a pending receive at once (with no message: it was not taken from the socket). */
  readonly closeSettlesRead = true;
  private socket: Pull | Subscriber | undefined;
  private readonly opening: Promise<Pull | Subscriber>;
  /** Items received and not read yet: the rest of a batch of messages, or of an ndjson message. */
  private items: Decoded[] = [];
  private next = 0;
  private message = 0;
  private closed = false;
  private readonly format: MessageFormat;
  private readonly name: string;

  constructor(endpoint: ZmqEndpoint<'pull' | 'sub'>, topics: readonly string[], format: MessageFormat, name: string) {
    this.format = format;
    this.name = name;
    this.opening = openZmqSocket('fromZmq', 'SOURCE_FAILED', endpoint, (zmq) => {
      if (endpoint.pattern === 'pull') return new zmq.Pull({ linger: 0 });
      const sub = new zmq.Subscriber({ linger: 0 });
      sub.subscribe(...topics);
      return sub;
    });
    // Awaited by the first read; a stop before it must not leave its failure unhandled.
    this.opening.catch(() => {});
  }

  read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
    if (this.next < this.items.length) return this.take();
    if (this.closed) return { done: true, value: undefined };
    return this.receive();
  }

  close(): void {
    this.closed = true;
    if (this.socket !== undefined) this.socket.close();
    else this.opening.then((socket) => socket.close(), () => {});
  }

  /**
   * Waits for a message, then takes those the socket has ready too (up to RECEIVE_BATCH): the
   * reads that follow return them at once, so that the run journals them in one commit.
   */
  private async receive(): Promise<IteratorResult<T, unknown>> {
    const socket = (this.socket ??= await this.opening);
    this.items = [];
    this.next = 0;
    while (this.items.length === 0) {
      if (this.closed) {
        socket.close();
        return { done: true, value: undefined };
      }
      try {
        this.decode(await socket.receive());
        for (let k = 1; k < RECEIVE_BATCH && socket.readable && !this.closed; k++) this.decode(await socket.receive());
      } catch (e) {
        if (this.closed) break;
        throw e;
      }
    }
    // Closed with items taken: they are handed over (closeSettlesRead), the rest of them lost.
    return this.items.length > 0 ? this.take() : { done: true, value: undefined };
  }

  private decode(frames: Buffer[]): void {
    decode(this.items, frames[frames.length - 1]!.toString('utf8'), this.format, this.name, ++this.message);
  }

  private take(): IteratorResult<T, unknown> {
    const item = this.items[this.next++]!;
    if (this.next === this.items.length) {
      this.items = [];
      this.next = 0;
    }
    this.position = { message: item.message, line: item.line };
    this.error = item.error;
    return { done: false, value: item.value as T };
  }
}
