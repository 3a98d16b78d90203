import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { systemClock } from '../clock/system.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import type { Clock } from '../types.js';
import { parseBody, readBody, TOO_LARGE, type HttpFormat } from './http-body.js';
import { Ingest, refused, type Answer } from './http-ingest.js';
import { IdempotencyKeys } from './http-keys.js';
import { HttpReader } from './http-reader.js';
import { lineParser } from './parse.js';
import type { Source, SourceContext, SourceReader } from './source.js';

/** Options of {@link fromHttp}. */
export interface HttpSourceOptions {
  /** The port to listen on; 0 for any free one (see `address()`). */
  readonly port: number;
  /** @default '127.0.0.1' (this machine only; '0.0.0.0' for every interface) */
  readonly host?: string;
  /** The one path items are POSTed to; any other answers 404. @default '/' */
  readonly path?: string;
  /** `json`: the body is one item; `ndjson`: one item per non-blank line; `text`: the body is one string item. @default 'json' */
  readonly format?: HttpFormat;
  /** A longer body is answered 413, and not read further. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** When set, a request without `Authorization: Bearer <token>` is answered 401. */
  readonly token?: string | undefined;
  /** `admitted`: 202 once the items are admitted (journaled); `completed`: 200/422 once they all settled. @default 'admitted' */
  readonly respond?: 'admitted' | 'completed';
  /** A request not answered by then gets 504 with the ids admitted so far (they are still processed). @default 30_000 */
  readonly timeoutMs?: number;
  /** How long a request waits for room while the run is at maxPending before it is answered 429. @default 1_000 */
  readonly waitMs?: number;
  /** How many `Idempotency-Key`s are remembered (the newest); 0: none. @default 10_000 */
  readonly idempotencyKeys?: number;
  /** How long an `Idempotency-Key` is remembered. @default 24 h */
  readonly idempotencyTtlMs?: number;
  /** The source's name (its state in the store is kept under it). @default `http:<port><path>` */
  readonly name?: string;
}

/** A source of items POSTed over HTTP; `address()` is where it listens, once it does. */
export interface HttpSource<T> extends Source<T> {
  /** The URL items are POSTed to, once the run has opened the source and its server listens. */
  address(): Promise<URL>;
}

const KNOWN = ['port', 'host', 'path', 'format', 'maxBodyBytes', 'token', 'respond', 'timeoutMs', 'waitMs', 'idempotencyKeys', 'idempotencyTtlMs', 'name'];
const FORMATS: readonly HttpFormat[] = ['json', 'ndjson', 'text'];

/**
 * A source of items POSTed over HTTP (node:http), for a run that goes on until `stop()`.
 * `202 { ids }` means every item of the request was admitted: on a durable store, journaled on
 * disk, so a kill -9 after it loses none of them (the next run replays them). `ids` are the
 * items' lineage ids: the `meta.root` sinks get (their idempotency key starts with it), the `root`
 * of a dead letter. With `respond: 'completed'` it answers `200 { ids }` once all completed, `422
 * { ids, failures }` if any was dead-lettered, `504` past `timeoutMs`. Other answers: `429` with
 * `Retry-After` when none of the request's items found room within `waitMs`, `400` for a malformed
 * body (with the NDJSON line), `413` over `maxBodyBytes`, `401` without the bearer token, `404`
 * and `405` elsewhere, `503` while stopping; none of them admitted anything. A repeat of a request
 * with the same `Idempotency-Key` header gets the first answer and admits nothing again.
 *
 * @example
 * ```ts
 * declare const pipeline: Node<unknown, unknown>;
 * const http = fromHttp({ port: 8080, format: 'ndjson' });
 * const c = new Consecutor(pipeline, { store: { path: './state' } });
 * const done = c.run(http);
 * console.log(`POST items to ${(await http.address()).href}`);
 * process.once('SIGTERM', () => void c.stop());
 * await done;
 * ```
 */
export function fromHttp<T = unknown>(options: HttpSourceOptions): HttpSource<T> {
  const o = httpOptions(options);
  let listening = deferred<URL>();
  // An item journaled as its text (SourceReader.raw), or redriven bad input, is parsed again as JSON.
  const parse = lineParser<T>('ndjson', o.name);
  return {
    name: o.name,
    ...(o.format === 'text' ? {} : { parse }),
    address: () => listening.promise,
    open(after?: unknown, context?: SourceContext): SourceReader<T> {
      const opened = listening;
      // Once this run's server is closed, address() waits for the next run's.
      return serve(o, after, context, opened, () => {
        if (listening === opened) listening = deferred<URL>();
      }) as SourceReader<T>;
    },
  };
}

type Resolved = Required<Omit<HttpSourceOptions, 'token'>> & { readonly token: string | undefined };

function httpOptions(options: HttpSourceOptions): Resolved {
  if (options === null || typeof options !== 'object') throw new ConsecutionError('OPTIONS_INVALID', `fromHttp(): expected an options object with a port, got ${preview(options)}`);
  rejectUnknown('fromHttp()', options, KNOWN);
  const r = optionReader(options, (key) => `fromHttp(): ${key}`);
  if (options.port === undefined) r.bad('port', 'an integer from 0 to 65535 (0: any free port)', undefined);
  const port = r.integer('port', 0, 0);
  if (port > 65535) r.bad('port', 'an integer from 0 to 65535 (0: any free port)', port);
  const text = (key: 'host' | 'path' | 'token' | 'name', fallback: string | undefined, ok = (s: string) => s.length > 0, expected = 'a non-empty string') => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !ok(v)) r.bad(key, expected, v);
    return v;
  };
  const path = text('path', '/', (s) => s.startsWith('/'), "a path starting with '/'")!;
  return {
    port,
    host: text('host', '127.0.0.1')!,
    path,
    format: r.oneOf('format', FORMATS, 'json'),
    maxBodyBytes: r.integer('maxBodyBytes', 1, 1024 * 1024),
    token: text('token', undefined),
    respond: r.oneOf('respond', ['admitted', 'completed'] as const, 'admitted'),
    timeoutMs: r.timeout('timeoutMs', 30_000),
    waitMs: r.timeout('waitMs', 1_000),
    idempotencyKeys: r.integer('idempotencyKeys', 0, 10_000),
    idempotencyTtlMs: r.integer('idempotencyTtlMs', 1, 24 * 3600 * 1000),
    name: text('name', `http:${port}${path}`)!,
  };
}

/** Starts the server of one run and returns its reader. */
function serve(o: Resolved, after: unknown, context: SourceContext | undefined, listening: Deferred<URL>, released: () => void): HttpReader {
  const clock: Clock = context?.clock ?? systemClock;
  const keys = o.idempotencyKeys > 0 ? new IdempotencyKeys(context?.state, clock, o.idempotencyKeys, o.idempotencyTtlMs) : undefined;
  const expected = o.token === undefined ? undefined : digest(`Bearer ${o.token}`);
  let inFlight = 0;
  let listened = false;
  // The server listens on (answering 503) until the run has ended (opened by hand: until close())
  // and every request in flight is answered; then it closes.
  let runEnded = context?.signal === undefined;
  let shutdown: (() => void) | undefined;
  const closeIfDone = (): void => {
    if (shutdown !== undefined && (runEnded || !server.listening) && inFlight === 0) shutdown();
  };
  const server = createServer({ keepAlive: true }, (req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      closeIfDone();
    });
    handle(req, res).catch((e: unknown) => send(res, refused(500, `fromHttp: ${messageOf(e)}`)));
  });
  const reader: HttpReader = new HttpReader({
    respond: o.respond,
    clock,
    waitMs: o.waitMs,
    firstPosition: typeof after === 'number' && Number.isSafeInteger(after) ? after + 1 : 0,
    shutdown: () =>
      new Promise<void>((resolve) => {
        shutdown = () => {
          shutdown = undefined;
          server.close(() => resolve());
          server.closeAllConnections();
          // A server that never listened keeps its error for address().
          if (listened) released();
        };
        closeIfDone();
      }),
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path !== o.path) return send(res, refused(404, `no such path ${preview(path)}: POST items to ${o.path}`));
    if (req.method !== 'POST') return send(res, refused(405, `${req.method} is not allowed: POST items to ${o.path}`, { Allow: 'POST' }));
    if (expected !== undefined && !authorized(req.headers.authorization, expected)) {
      return send(res, refused(401, 'missing or wrong bearer token: send Authorization: Bearer <token>', { 'WWW-Authenticate': 'Bearer' }));
    }
    if (reader.stopping) return send(res, refused(503, 'the source is stopping: nothing of this request was admitted', { 'Retry-After': '1' }));
    const key = keys === undefined ? undefined : idempotencyKey(req);
    if (key !== undefined) {
      const kept = keys!.get(key);
      if (kept !== undefined) return send(res, kept, true);
      const live = keys!.live.get(key);
      if (live !== undefined) return send(res, await within(live), true);
    }
    const ing = new Ingest(key === undefined ? undefined : (a) => keys!.keep(key, a));
    if (key !== undefined) {
      keys!.live.set(key, ing);
      void ing.outcome.then(() => keys!.live.get(key) === ing && keys!.live.delete(key));
    }
    await take(req, ing);
    send(res, await within(ing));
  }

  /** Reads and parses the body and offers its items to the run; any refusal settles `ing`. */
  async function take(req: IncomingMessage, ing: Ingest): Promise<void> {
    let body;
    try {
      body = await readBody(req, o.maxBodyBytes);
    } catch (e) {
      ing.answer(refused(400, `the body could not be read: ${messageOf(e)}`));
      return;
    }
    if (body === TOO_LARGE) return ing.answer(refused(413, `the body exceeds maxBodyBytes=${o.maxBodyBytes}: nothing of it was admitted`, { Connection: 'close' }));
    const raws = o.format === 'text' ? undefined : [];
    const items = parseBody(body, o.format, raws);
    if (!Array.isArray(items)) return ing.answer(refused(400, `malformed ${o.format} body: ${items.error}; nothing of it was admitted`, undefined, items.line === undefined ? {} : { line: items.line }));
    if (items.length === 0) return ing.answer({ status: o.respond === 'admitted' ? 202 : 200, body: { ids: [] }, remember: false });
    ing.items = items;
    ing.raws = raws;
    reader.offer(ing);
  }

  /** The outcome of `ing`, or 504 past timeoutMs (its items are still processed). */
  function within(ing: Ingest): Promise<Answer> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(() => {
        const ids = ing.admittedIds();
        resolve({
          status: 504,
          body: { error: `not ${o.respond} within timeoutMs=${o.timeoutMs}: the items admitted (ids) are still processed; repeat the request with its Idempotency-Key to hear the outcome`, ids },
          remember: false,
        });
      }, o.timeoutMs);
      void ing.outcome.then((a) => {
        clock.clearTimeout(timer);
        resolve(a);
      });
    });
  }

  function send(res: ServerResponse, a: Answer, replayed = false): void {
    if (res.headersSent || res.destroyed) return;
    const body = JSON.stringify(a.body);
    res.writeHead(a.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      ...a.headers,
      ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}),
      ...(reader.stopping ? { Connection: 'close' } : {}),
    });
    res.end(body);
  }

  server.once('error', (e) => {
    const error = new ConsecutionError('SOURCE_FAILED', `fromHttp(): cannot listen on ${o.host}:${o.port}: ${messageOf(e)}`, { cause: e });
    listening.reject(error);
    reader.failed(error);
  });
  server.listen(o.port, o.host, () => {
    listened = true;
    const a = server.address();
    const port = typeof a === 'object' && a !== null ? a.port : o.port;
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    listening.resolve(new URL(`http://${host}:${port}${o.path}`));
  });
  context?.signal?.addEventListener(
    'abort',
    () => {
      runEnded = true;
      reader.ended();
      closeIfDone();
    },
    { once: true },
  );
  return reader;
}

function idempotencyKey(req: IncomingMessage): string | undefined {
  const k = req.headers['idempotency-key'];
  return typeof k === 'string' && k.length > 0 ? k : undefined;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests, so that the time taken says nothing of the token (not even its length). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  return header !== undefined && timingSafeEqual(digest(header), expected);
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
