import type { Publisher, Push } from 'zeromq';
import { openZmqSocket, zmqEndpoint } from '../connectors/zmq.js';
import { ConsecutionError, messageOf, previewTyped } from '../errors.js';
import type { WriteMeta } from '../outputs/meta.js';
import { GroupCommit } from './group-commit.js';

/** Options of {@link toZmq}. */
export interface ZmqTargetOptions<T> {
  /** The endpoint, such as 'tcp://127.0.0.1:5555' or 'ipc:///tmp/feed'. */
  readonly uri: string;
  /** `'push'`: a PUSH socket (to PULL peers, round-robin); `'pub'`: a PUB socket (to every SUB peer subscribed). */
  readonly pattern: 'push' | 'pub';
  /** Bind `uri` (this side is the service); by default it connects to it. @default false */
  readonly bind?: boolean;
  /** A first frame before the JSON body: the topic SUB peers filter on (a string, or made from the value). @default none: one frame */
  readonly topic?: string | ((value: T) => string);
  /** At close, how long messages handed to the socket but not yet sent may still take to go out (ZeroMQ's linger). @default 5_000 */
  readonly lingerMs?: number;
}

/** A ZeroMQ output target: what {@link toZmq} returns. */
export interface ZmqTarget<T> {
  open(): Promise<void>;
  append(value: T, meta?: WriteMeta): Promise<void>;
  close(): void;
}

type Frames = string | [string, string];

/**
 * An output target that sends each value as a JSON message on a ZeroMQ PUSH or PUB socket
 * (zeromq 6, the optional package `zeromq`, loaded when the run opens its outputs). It connects to
 * `uri` by default and binds with `bind: true`; a bind that fails (the address is in use) fails
 * the run at open with `OUTPUT_FAILED` naming the uri, before any item is read.
 *
 * Confirmed when handed to the socket: the message is in ZeroMQ's queue, not yet received by
 * anyone. ZeroMQ has no acknowledgement, so that is as far as a confirmation can go. A PUSH socket
 * queues only to peers it is connected to: with none (or all at their high-water mark) it waits,
 * holding the items (back-pressure: they time out and are retried at `timeoutMs`, then sent twice
 * when a peer comes). A PUB socket drops what no subscriber takes. What is queued when the process dies is lost, though confirmed;
 * at close it gets `lingerMs` to go out. At-least-once: a retried item is sent again.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, unknown>;
 * declare const rows: unknown[];
 * const c = new Consecutor(pipeline, { outputs: { default: toZmq({ uri: 'tcp://127.0.0.1:5556', pattern: 'push' }) } });
 * await c.run(rows);
 * ```
 */
export function toZmq<T = unknown>(options: ZmqTargetOptions<T>): ZmqTarget<T> {
  const { endpoint, r } = zmqEndpoint('toZmq', options, ['push', 'pub'] as const, false, ['topic', 'lingerMs']);
  const { topic } = options;
  if (topic !== undefined && typeof topic !== 'string' && typeof topic !== 'function') r.bad('topic', 'a string or a function of the value', topic);
  const lingerMs = r.integer('lingerMs', 0, 5_000);
  const where = `toZmq ${endpoint.uri}`;
  let socket: Push | Publisher | undefined;
  const sends = new GroupCommit<Frames>(async (batch) => {
    // One send at a time (zeromq's rule); each resolves once ZeroMQ has queued its message.
    for (const frames of batch) await socket!.send(frames);
  });

  const encode = (value: T): Frames => {
    let body: string | undefined;
    try {
      body = JSON.stringify(value);
    } catch (e) {
      throw notSendable(`${where}: the value cannot be sent as JSON: ${messageOf(e)}`, e);
    }
    if (body === undefined) throw notSendable(`${where}: the value cannot be sent as JSON: ${previewTyped(value)}`);
    if (topic === undefined) return body;
    let t: unknown;
    try {
      t = typeof topic === 'string' ? topic : topic(value);
    } catch (e) {
      throw notSendable(`${where}: topic(value) threw: ${messageOf(e)}`, e);
    }
    if (typeof t !== 'string') throw notSendable(`${where}: topic(value) must return a string, returned ${previewTyped(t)}`);
    return [t, body];
  };

  return {
    async open() {
      // immediate: a PUSH queues only to peers it is connected to, not on a pipe to one it is still
      // connecting to, so that confirmed means "queued to a live peer", and no peer means waiting.
      socket = await openZmqSocket('toZmq', 'OUTPUT_FAILED', endpoint, (zmq) => (endpoint.pattern === 'push' ? new zmq.Push({ immediate: true }) : new zmq.Publisher()));
    },
    append(value) {
      if (socket === undefined || socket.closed) {
        return Promise.reject(new ConsecutionError('OUTPUT_FAILED', `${where}: append() before open() or after close()`));
      }
      let frames: Frames;
      try {
        frames = encode(value);
      } catch (e) {
        return Promise.reject(e);
      }
      return sends.append(frames);
    },
    close() {
      if (socket === undefined) return;
      socket.linger = lingerMs;
      socket.close();
    },
  };
}

function notSendable(message: string, cause?: unknown): ConsecutionError {
  return new ConsecutionError('OUTPUT_FAILED', message, { retryable: false, ...(cause === undefined ? {} : { cause }) });
}
