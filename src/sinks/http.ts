import { systemClock } from '../clock/system.js';
import { checkClock } from '../consecutor/options.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import type { WriteMeta } from '../outputs/meta.js';
import type { OutputContext } from '../outputs/target.js';
import { optionReader, rejectUnknown, type OptionReader } from '../stage/args.js';
import type { Clock, TimerHandle } from '../types.js';
import { fullJitter, retryAfterMs } from './backoff.js';
import { discardBody, previewBody } from './http-body.js';
import { Slots } from './slots.js';

/** Options of {@link toHttp}. */
export interface HttpTargetOptions<T = unknown> {
  /** The request method: one that sends a body (not GET nor HEAD). @default 'POST' */
  readonly method?: string;
  /** Headers of every request. `Content-Type` defaults to `application/json`; `Idempotency-Key` is set per item. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Tries after the first one, for 429, 5xx, network errors and timeouts. @default 5 */
  readonly retries?: number;
  /** How long one request may take, answer and body included, before it counts as a network error. @default 10_000 */
  readonly timeoutMs?: number;
  /** The cap of the first backoff: retry n waits a random time below `backoffMs · 2^n` (full jitter). @default 200 */
  readonly backoffMs?: number;
  /** The longest wait before a retry, a `Retry-After` included. @default 30_000 */
  readonly maxBackoffMs?: number;
  /** Requests in flight at once (a retry's wait keeps its place). @default 64 */
  readonly maxInFlight?: number;
  /** The request body of a value. @default JSON.stringify */
  readonly encode?: (value: T) => string | Uint8Array;
  /** The clock of the backoff and timeout timers. @default the run's clock (given to `open()`), else the system clock */
  readonly clock?: Clock;
  /** Where the jitter comes from: a number in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Called before each wait for a retry: to log, or for a test to see the delay chosen. */
  readonly onRetry?: (retry: HttpRetry) => void;
}

/** What {@link HttpTargetOptions.onRetry} is told: which item, which retry, how long it waits, and why. */
export interface HttpRetry {
  /** The item copy's idempotency key (`meta.key`). */
  readonly key: string;
  /** 1 for the first retry. */
  readonly retry: number;
  /** The wait chosen, in ms. */
  readonly delayMs: number;
  /** The status of the answer retried, undefined after a network error or a timeout. */
  readonly status: number | undefined;
  /** What went wrong: `503 Service Unavailable: busy`, `fetch failed: connect ECONNREFUSED 127.0.0.1:8080`. */
  readonly reason: string;
}

/** The output target {@link toHttp} makes. */
export interface HttpTarget<T = unknown> {
  /** Takes the run's clock, unless the `clock` option gave one. */
  open(context: OutputContext): void;
  /** Resolves once the server answered 2xx; rejects after a 4xx (not retryable) or when retries are used up. */
  append(value: T, meta: WriteMeta): Promise<void>;
  /** Aborts requests in flight and waits for retries: their appends reject. */
  close(): void;
}

/** What one try came to when it may be tried again. */
interface Retryable {
  readonly status: number | undefined;
  readonly reason: string;
  readonly retryAfterMs: number | undefined;
}

const KNOWN = ['method', 'headers', 'retries', 'timeoutMs', 'backoffMs', 'maxBackoffMs', 'maxInFlight', 'encode', 'clock', 'random', 'onRetry'];

/**
 * An output target that sends each value to `url` with the global `fetch`, one request per value,
 * with an `Idempotency-Key` header equal to `meta.key` (the same when the item is replayed or the
 * run restarted on a durable store), so a server that dedupes by it sees each item once.
 *
 * **Confirmed** when the server answers 2xx. A 429, a 5xx, a network error or a request past
 * `timeoutMs` is retried up to `retries` times after a backoff with full jitter, or after the
 * server's `Retry-After` (seconds or an HTTP date; at most `maxBackoffMs`); when retries are used
 * up the write fails and the item is replayed (under `guarantee: 'replay'`) or dead-lettered. Any
 * other status (a 4xx: the request itself is wrong) fails the item at once, not retryable: it is
 * dead-lettered with the status and the start of the response body in the message. Nothing is
 * confirmed before the server said so, so a kill -9 loses nothing: the item is still in the
 * journal and is sent again, with the same key.
 *
 * To send batches, put `chunk(n)` before the output: the value is then an array (one request of
 * n items, a JSON array, or NDJSON with `encode`), and its key is made of its items' keys.
 *
 * @example
 * ```ts
 * const c = new Consecutor(pipe(map((n: number) => ({ n })), output('events')), {
 *   guarantee: 'replay',
 *   outputs: { events: toHttp('http://127.0.0.1:8080/events', { headers: { authorization: 'Bearer s3cret' }, retries: 3 }) },
 * });
 * await c.run([1, 2, 3]);
 * ```
 */
export function toHttp<T = unknown>(url: string | URL, options: HttpTargetOptions<T> = {}): HttpTarget<T> {
  return new HttpOutput<T>(url, options);
}

class HttpOutput<T> implements HttpTarget<T> {
  private readonly url: string;
  private readonly method: string;
  private readonly headers: Headers;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly encode: (value: T) => string | Uint8Array;
  private readonly random: () => number;
  private readonly onRetry: ((retry: HttpRetry) => void) | undefined;
  private readonly ownClock: Clock | undefined;
  private clock: Clock;
  private readonly slots: Slots;
  /** What close() must abort: requests in flight and retries waiting. */
  private readonly live = new Set<AbortController>();

  constructor(url: string | URL, options: HttpTargetOptions<T>) {
    const where = 'toHttp()';
    if (options === null || typeof options !== 'object') optionReader({}, () => `${where} options`).bad('', 'an object', options);
    rejectUnknown(where, options, KNOWN);
    const o = options as Record<string, unknown>;
    const r: OptionReader = optionReader(o, (key) => `${where} option ${key}`);
    this.url = checkUrl(url);
    if (o.method !== undefined && (typeof o.method !== 'string' || !/^[A-Za-z]+$/.test(o.method) || /^(get|head)$/i.test(o.method))) {
      r.bad('method', 'a method that sends a body, such as POST or PUT', o.method);
    }
    this.method = (options.method ?? 'POST').toUpperCase();
    try {
      this.headers = new Headers(options.headers);
    } catch (e) {
      r.bad('headers', `an object of header names to strings (${messageOf(e)})`, o.headers);
    }
    if (!this.headers.has('content-type')) this.headers.set('content-type', 'application/json');
    this.retries = r.integer('retries', 0, 5);
    this.timeoutMs = r.timeout('timeoutMs', 10_000);
    this.backoffMs = r.integer('backoffMs', 0, 200);
    this.maxBackoffMs = r.timeout('maxBackoffMs', 30_000);
    this.slots = new Slots(r.integer('maxInFlight', 1, 64));
    for (const key of ['encode', 'random', 'onRetry'] as const) {
      if (o[key] !== undefined && typeof o[key] !== 'function') r.bad(key, 'a function', o[key]);
    }
    this.encode = options.encode ?? JSON.stringify;
    this.random = options.random ?? Math.random;
    this.onRetry = options.onRetry;
    this.ownClock = o.clock === undefined ? undefined : checkClock(o.clock, r);
    this.clock = this.ownClock ?? systemClock;
  }

  open(context: OutputContext): void {
    this.clock = this.ownClock ?? context.clock;
  }

  async append(value: T, meta: WriteMeta): Promise<void> {
    const body = this.body(value);
    await this.slots.take();
    try {
      for (let retry = 0; ; retry++) {
        const outcome = await this.send(body, meta.key);
        if (outcome === undefined) return;
        if (retry >= this.retries) {
          throw new ConsecutionError('OUTPUT_FAILED', `${this.method} ${this.url}: gave up after ${retry + 1} tries (retries=${this.retries}), the last: ${outcome.reason}`);
        }
        const delayMs = Math.min(this.maxBackoffMs, outcome.retryAfterMs ?? fullJitter(retry, this.backoffMs, this.maxBackoffMs, this.random));
        this.onRetry?.({ key: meta.key, retry: retry + 1, delayMs, status: outcome.status, reason: outcome.reason });
        await this.wait(delayMs);
      }
    } finally {
      this.slots.give();
    }
  }

  close(): void {
    for (const c of this.live) c.abort();
    this.live.clear();
    this.slots.reject(this.closed());
  }

  private body(value: T): string | Uint8Array {
    let body: unknown;
    try {
      body = this.encode(value);
    } catch (e) {
      throw new ConsecutionError('BAD_INPUT', `toHttp could not encode ${preview(value)}: ${messageOf(e)}`, { cause: e, retryable: false });
    }
    if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
      throw new ConsecutionError('BAD_INPUT', `toHttp: encode(${preview(value)}) must return a string or a Uint8Array, got ${preview(body)}`, { retryable: false });
    }
    return body;
  }

  /** One try: undefined once confirmed (2xx); what went wrong when it may be tried again; throws when it may not. */
  private async send(body: string | Uint8Array, key: string): Promise<Retryable | undefined> {
    const abort = new AbortController();
    this.live.add(abort);
    let late = false;
    const timer = this.clock.setTimeout(() => {
      late = true;
      abort.abort();
    }, this.timeoutMs);
    const headers = new Headers(this.headers);
    headers.set('idempotency-key', key);
    try {
      const res = await fetch(this.url, { method: this.method, headers, body, signal: abort.signal });
      if (res.ok) {
        // Confirmed, even if the rest of the body never comes (discardBody gives up at the timeout).
        await discardBody(res);
        return undefined;
      }
      const answer = `${res.status} ${res.statusText}: ${await previewBody(res)}`;
      if (res.status === 429 || res.status >= 500) {
        return { status: res.status, reason: answer, retryAfterMs: retryAfterMs(res.headers.get('retry-after'), this.clock.now()) };
      }
      throw new ConsecutionError('OUTPUT_FAILED', `${this.method} ${this.url} answered ${answer}`, { retryable: false });
    } catch (e) {
      if (e instanceof ConsecutionError) throw e;
      if (late) return { status: undefined, reason: `no answer within timeoutMs=${this.timeoutMs}`, retryAfterMs: undefined };
      if (abort.signal.aborted) throw this.closed();
      return { status: undefined, reason: networkError(e), retryAfterMs: undefined };
    } finally {
      this.clock.clearTimeout(timer);
      this.live.delete(abort);
    }
  }

  /** Resolves after `ms` on the clock; rejects if the target is closed first. */
  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const abort = new AbortController();
      this.live.add(abort);
      let timer: TimerHandle | undefined = undefined;
      abort.signal.addEventListener('abort', () => {
        this.clock.clearTimeout(timer);
        reject(this.closed());
      });
      timer = this.clock.setTimeout(() => {
        this.live.delete(abort);
        resolve();
      }, ms);
    });
  }

  private closed(): ConsecutionError {
    return new ConsecutionError('OUTPUT_FAILED', `toHttp ${this.url} was closed before the server confirmed`);
  }
}

function checkUrl(url: unknown): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url as string | URL);
  } catch {
    // said below
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new ConsecutionError('OPTIONS_INVALID', `toHttp(): url must be an http:// or https:// URL, got ${preview(url instanceof URL ? url.href : url)}`);
  }
  return parsed.href;
}

/** fetch's "fetch failed" with what undici says underneath: `fetch failed: connect ECONNREFUSED 127.0.0.1:8080`. */
function networkError(e: unknown): string {
  const cause = (e as { cause?: unknown } | null)?.cause;
  return cause === undefined ? messageOf(e) : `${messageOf(e)}: ${messageOf(cause)}`;
}
