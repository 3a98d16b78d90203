import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Consecutor, node, type Metrics, type NodeMetrics } from 'consecution';
import { serveMetrics } from '../../src/observe/serve-metrics.js';

const HANG = { timeout: 10_000 };

/** The samples of a Prometheus text, by name and labels as written: `x_total{node="a"}` -> 3. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

async function get(port: number, path: string, init?: RequestInit): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

async function scrape(port: number): Promise<Map<string, number>> {
  const res = await get(port, '/metrics');
  expect(res.status).toBe(200);
  expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
  return samples(res.text);
}

/** Lets the program run (promise callbacks, immediates) until `cond` holds. */
async function settle(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !cond(); i++) await new Promise((resolve) => setImmediate(resolve));
  expect(cond()).toBe(true);
}

/** Whether a port of 127.0.0.1 can be listened on (then it is let go again). */
function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('serveMetrics(c)', () => {
  it('is not ready before the run, serves its counts while it runs and after, and frees its port on close()', HANG, async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const c = new Consecutor(
      node('parse', {
        async process(x: number) {
          await gate;
          return x;
        },
      }),
      {},
    );
    const server = await serveMetrics(c, { port: 0 });
    expect(server.port).toBeGreaterThan(0);

    expect(await get(server.port, '/ready')).toMatchObject({ status: 503, text: 'not ready: no run has started\n' });
    const before = await scrape(server.port);
    expect(before.get('consecution_running')).toBe(0);
    expect(before.get('consecution_ingested_total')).toBe(0);
    expect([...before.keys()].filter((k) => k.includes('node='))).toEqual([]);

    const done = c.run([1, 2, 3]);
    await settle(() => c.metrics().nodes.parse?.received === 3);
    expect(await get(server.port, '/ready')).toMatchObject({ status: 200, text: 'ready\n' });
    const during = await scrape(server.port);
    expect(Object.fromEntries([...during].filter(([k]) => /_total|_in_flight|pending|running/.test(k) && !/crashes|blocked/.test(k)))).toEqual({
      'consecution_ingested_total': 3,
      'consecution_completed_total': 0,
      'consecution_failed_total': 0,
      'consecution_retried_total': 0,
      'consecution_dead_lettered_total': 0,
      'consecution_errors_total': 0,
      'consecution_pending': 3,
      'consecution_running': 1,
      'consecution_node_received_total{node="parse"}': 3,
      'consecution_node_emitted_total{node="parse"}': 0,
      'consecution_node_acked_total{node="parse"}': 0,
      'consecution_node_failed_total{node="parse"}': 0,
      'consecution_node_in_flight{node="parse"}': 1,
    });
    // The gauges are there, whatever their values.
    for (const k of ['consecution_rate', 'consecution_blocked_ms_total', 'consecution_node_queued{node="parse"}', 'consecution_node_busy_ratio{node="parse"}', 'consecution_node_rate{node="parse"}']) {
      expect(typeof during.get(k)).toBe('number');
    }

    open();
    expect(await done).toMatchObject({ ok: true, completed: 3 });
    const after = await scrape(server.port);
    expect(after.get('consecution_node_received_total{node="parse"}')).toBe(3);
    expect(after.get('consecution_node_emitted_total{node="parse"}')).toBe(3);
    expect(after.get('consecution_node_in_flight{node="parse"}')).toBe(0);
    expect([after.get('consecution_ingested_total'), after.get('consecution_completed_total'), after.get('consecution_pending'), after.get('consecution_running')]).toEqual([3, 3, 0, 0]);
    expect((await get(server.port, '/ready')).status).toBe(200);

    expect(await get(server.port, '/nope')).toMatchObject({ status: 404 });
    expect(await get(server.port, '/metrics/x')).toMatchObject({ status: 404 });
    expect((await get(server.port, '/metrics?debug=1')).status).toBe(200);
    expect(await get(server.port, '/metrics', { method: 'POST' })).toMatchObject({ status: 405 });

    await server.close();
    await expect(fetch(`http://127.0.0.1:${server.port}/ready`)).rejects.toThrow();
    expect(await free(server.port)).toBe(true);
    await server.close(); // a second close is a no-op
  });

  it('ready for a consecutor whose run ended before the first request', HANG, async () => {
    const c = new Consecutor(node('parse', { process: (x: number) => x }), {});
    const server = await serveMetrics(c, { port: 0 });
    await c.run([1]);
    expect((await get(server.port, '/ready')).status).toBe(200);
    await server.close();
  });
});

describe('the metrics served', () => {
  const base: Omit<NodeMetrics, 'name' | 'kind'> = { received: 4, emitted: 3, acked: 0, failed: 1, inFlight: 0, queued: 2, busy: 0.25, rate: 1.5, slowest: [] };
  const snapshot: Metrics = {
    running: true, pending: 2, ingested: 10, completed: 7, failed: 2, retried: 1, deadLettered: 1, errors: 0, rate: 3.5, blockedMs: 120, replayed: 1,
    nodes: {
      plain: { name: 'plain', kind: 'map', ...base },
      geo: { name: 'geo', kind: 'offload', ...base, latency: { p50: 12.5, p99: 80, max: 95.25 }, workers: { running: 3, idle: 1 }, crashes: 2 },
    },
  };

  it('are named and labelled as documented; latency, workers and crashes only for the nodes that have them', HANG, async () => {
    const server = await serveMetrics({ metrics: () => snapshot }, { port: 0, prefix: 'app_' });
    const s = await scrape(server.port);
    await server.close();
    expect(Object.fromEntries(s)).toEqual({
      app_ingested_total: 10,
      app_completed_total: 7,
      app_failed_total: 2,
      app_retried_total: 1,
      app_dead_lettered_total: 1,
      app_errors_total: 0,
      app_blocked_ms_total: 120,
      app_pending: 2,
      app_rate: 3.5,
      app_running: 1,
      ...Object.fromEntries(
        ['plain', 'geo'].flatMap((n) => [
          [`app_node_received_total{node="${n}"}`, 4],
          [`app_node_emitted_total{node="${n}"}`, 3],
          [`app_node_acked_total{node="${n}"}`, 0],
          [`app_node_failed_total{node="${n}"}`, 1],
          [`app_node_in_flight{node="${n}"}`, 0],
          [`app_node_queued{node="${n}"}`, 2],
          [`app_node_busy_ratio{node="${n}"}`, 0.25],
          [`app_node_rate{node="${n}"}`, 1.5],
        ]),
      ),
      'app_node_crashes_total{node="geo"}': 2,
      'app_node_latency_ms{node="geo",quantile="0.5"}': 12.5,
      'app_node_latency_ms{node="geo",quantile="0.99"}': 80,
      'app_node_latency_ms{node="geo",quantile="1"}': 95.25,
      'app_node_workers{node="geo",state="running"}': 3,
      'app_node_workers{node="geo",state="idle"}': 1,
    });
  });

  it('with their types and help, and each server has a registry of its own', HANG, async () => {
    const other: Metrics = { ...snapshot, ingested: 99, nodes: {} };
    const [a, b] = await Promise.all([serveMetrics({ metrics: () => snapshot }, { port: 0 }), serveMetrics({ metrics: () => other }, { port: 0 })]);
    const [ta, tb] = await Promise.all([get(a.port, '/metrics'), get(b.port, '/metrics')]);
    await Promise.all([a.close(), b.close()]);
    expect(samples(ta.text).get('consecution_ingested_total')).toBe(10);
    expect(samples(tb.text).get('consecution_ingested_total')).toBe(99);
    expect(ta.text).toContain('# HELP consecution_node_received_total Items the node received.\n# TYPE consecution_node_received_total counter\n');
    expect(ta.text).toContain('# TYPE consecution_node_latency_ms gauge\n');
    expect(ta.text).toContain('# TYPE consecution_running gauge\n');
  });
});

describe('serveMetrics options', () => {
  const c = new Consecutor(node('parse', { process: (x: number) => x }), {});
  const bad = (o: unknown) => serveMetrics(c, o as never);

  it('are checked at once, showing the bad value', async () => {
    await expect(bad({ port: -1 })).rejects.toMatchObject({ code: 'OPTIONS_INVALID', message: 'serveMetrics(): port must be an integer from 0 to 65535 (0: any free port), got number -1' });
    await expect(bad({ port: 65536 })).rejects.toThrow(/port must be an integer from 0 to 65535 .*, got number 65536$/);
    await expect(bad({ port: 80.5 })).rejects.toThrow(/got number 80.5$/);
    await expect(bad({ port: '9464' })).rejects.toThrow(/got string "9464"$/);
    await expect(bad({})).rejects.toThrow(/port must be an integer .*, got undefined$/);
    await expect(bad({ port: 0, host: 5 })).rejects.toMatchObject({ code: 'OPTIONS_INVALID', message: 'serveMetrics(): host must be a non-empty string (an address or host name), got number 5' });
    await expect(bad({ port: 0, host: '' })).rejects.toThrow(/host must be a non-empty string/);
    await expect(bad({ port: 0, prefix: '9x_' })).rejects.toThrow(/serveMetrics\(\): prefix must be letters, digits, _ and : \(not a digit first\), as Prometheus names are, got string "9x_"$/);
    await expect(bad({ port: 0, prefix: 'my-app_' })).rejects.toThrow(/got string "my-app_"$/);
    await expect(bad({ port: 0, path: '/m' })).rejects.toThrow(/^unknown serveMetrics\(\) option path \("\/m"\)/);
    await expect(bad(9464)).rejects.toThrow('serveMetrics(): options must be an object with a port, got number 9464');
    await expect(serveMetrics({} as never, { port: 0 })).rejects.toMatchObject({ code: 'OPTIONS_INVALID', message: 'serveMetrics(): expected a Consecutor (an object with a metrics() method), got object {}' });
  });

  it('a port in use rejects with Node’s error', HANG, async () => {
    const first = await serveMetrics(c, { port: 0 });
    await expect(serveMetrics(c, { port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await first.close();
  });
});
