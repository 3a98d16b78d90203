import { createServer, type ServerResponse } from 'node:http';
import { loadOptional } from '../connectors/optional.js';
import type { MetricsSource } from '../consecutor/metrics-stream.js';
import type { Metrics } from '../consecutor/report.js';
import { ConsecutionError, previewTyped } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import { registryOf, type PromClient } from './prometheus.js';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** The port to listen on: an integer from 0 to 65535; 0 takes any free port (see `port` of the result). */
  readonly port: number;
  /** The address to listen on. @default '127.0.0.1' (this machine only) */
  readonly host?: string;
  /** What every metric's name starts with: letters, digits, `_` and `:`, not a digit first. @default 'consecution_' */
  readonly prefix?: string;
}

/** A running metrics server. */
export interface MetricsServer {
  /** The port it listens on (the one the system chose, for port 0). */
  readonly port: number;
  /** Stops listening and closes its connections; resolves once the port is free. */
  close(): Promise<void>;
}

const KNOWN = ['port', 'host', 'prefix'];
const PREFIX = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/**
 * Serves the metrics of `c` over HTTP for Prometheus, through prom-client (an optional peer:
 * `npm install prom-client`; without it the promise rejects with `DEPENDENCY_MISSING`):
 *
 * - `GET /metrics`: the Prometheus text of `c.metrics()` as it is at the scrape, the run's
 *   counts and gauges (`consecution_ingested_total`, `consecution_pending`, ...) and each
 *   node's, labelled `node` (`consecution_node_received_total{node="parse"}`, ...). A node's
 *   latency and workers are there once it has them.
 * - `GET /ready`: 503 until a run of `c` has started, then 200, while it runs and after
 *   (Benthos's readiness: a probe that waits for the pipeline to be up).
 * - anything else: 404 (405 for another method on those two paths).
 *
 * Each server has a prom-client registry of its own, so servers for several consecutors in one
 * process do not clash. Options are checked at once: a bad one rejects with `OPTIONS_INVALID`
 * before prom-client is loaded; a port that cannot be listened on rejects with Node's error
 * (`EADDRINUSE`, ...).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<string, unknown>;
 * declare const lines: AsyncIterable<string>;
 * const c = new Consecutor(pipeline, {});
 * const server = await serveMetrics(c, { port: 9464 });
 * await c.run(fromAsyncIterable(lines));
 * await server.close();
 * ```
 */
export function serveMetrics(c: MetricsSource, options: ServeMetricsOptions): Promise<MetricsServer> {
  try {
    const o = serveOptions(c, options);
    return loadOptional<PromClient>('prom-client', 'serveMetrics').then((prom) => listen(c, o, prom));
  } catch (e) {
    return Promise.reject(e);
  }
}

function serveOptions(c: MetricsSource, options: ServeMetricsOptions): Required<ServeMetricsOptions> {
  if (c === null || typeof c !== 'object' || typeof c.metrics !== 'function') {
    throw new ConsecutionError('OPTIONS_INVALID', `serveMetrics(): expected a Consecutor (an object with a metrics() method), got ${previewTyped(c)}`);
  }
  if (options === null || typeof options !== 'object') {
    optionReader({}, () => 'serveMetrics(): options').bad('', 'an object with a port', options);
  }
  rejectUnknown('serveMetrics()', options, KNOWN);
  const r = optionReader(options, (key) => `serveMetrics(): ${key}`);
  const port = options.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    r.bad('port', 'an integer from 0 to 65535 (0: any free port)', port);
  }
  const text = (key: 'host' | 'prefix', fallback: string, ok: (s: string) => boolean, expected: string): string => {
    const v = options[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !ok(v)) r.bad(key, expected, v);
    return v;
  };
  return {
    port,
    host: text('host', '127.0.0.1', (s) => s.length > 0, 'a non-empty string (an address or host name)'),
    prefix: text('prefix', 'consecution_', (s) => PREFIX.test(s), 'letters, digits, _ and : (not a digit first), as Prometheus names are'),
  };
}

function listen(c: MetricsSource, o: Required<ServeMetricsOptions>, prom: PromClient): Promise<MetricsServer> {
  const registry = registryOf(prom, c, o.prefix);
  // The snapshot before a consecutor's first run is empty; any run leaves its nodes in it.
  let started = false;
  const ready = (m: Metrics): boolean => (started ||= m.running || m.ingested > 0 || Object.keys(m.nodes).length > 0);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' && path !== '/ready') return answer(res, 404, 'not found: GET /metrics or /ready\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, `${req.method} ${path}: only GET and HEAD\n`, { Allow: 'GET, HEAD' });
    if (path === '/ready') return ready(c.metrics()) ? answer(res, 200, 'ready\n') : answer(res, 503, 'not ready: no run has started\n');
    scrape(res);
  });
  const scrape = (res: ServerResponse): void => {
    ready(c.metrics());
    registry.metrics().then(
      (body) => answer(res, 200, body, { 'Content-Type': registry.contentType }),
      (e: unknown) => answer(res, 500, `metrics failed: ${e instanceof Error ? e.message : String(e)}\n`),
    );
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      const a = server.address();
      const port = typeof a === 'object' && a !== null ? a.port : o.port;
      resolve({ port, close: () => close(server) });
    });
  });
}

function answer(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function close(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) return resolve();
    server.close((e) => (e === undefined ? resolve() : reject(e)));
    // A scraper's keep-alive connection would hold the port until it times out.
    server.closeAllConnections();
  });
}
