// HTTP ingest: autocannon (in a child process) POSTs items to fromHttp on a
// durable LMDB store (and on the memory store), beside a bare node:http server that reads and
// parses the same bodies and answers the same 202 { ids } without journaling anything. Two
// scenarios: 1-item JSON requests (http-ingest), 1,000-line NDJSON bodies (http-ingest-ndjson).
// Throughput is items admitted (answered 202) per second, the run's start and stop included.
// Each run also logs (stderr) the server's own CPU time per item: the load generator is another
// process, so this process's CPU is the server's, a figure a busy machine skews far less.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consecutor, fromHttp, map, type HttpSourceOptions } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { integers } from './lib.js';

interface Load {
  /** Items per request (1: one JSON value; more: NDJSON lines). */
  readonly perRequest: number;
  readonly requests: number;
  readonly connections: number;
  readonly pipelining: number;
}

const SINGLE: Load = { perRequest: 1, requests: 40_000, connections: 200, pipelining: 1 };
// 1,600 requests (1.6M items): long enough that starting autocannon (0.3-0.5 s) is a small share of a run.
const NDJSON: Load = { perRequest: 1_000, requests: 1_600, connections: 8, pipelining: 1 };

function bodyOf(load: Load): string {
  if (load.perRequest === 1) return JSON.stringify({ n: 1, name: 'item' });
  return Array.from({ length: load.perRequest }, (_, i) => JSON.stringify({ n: i, name: 'item' })).join('\n') + '\n';
}

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** Runs the load (autocannon in a child process) against `url`; resolves to the items answered 2xx (every request must be). */
async function fire(url: string, load: Load): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'consecution-bench-body-'));
  const input = join(dir, 'body');
  writeFileSync(input, bodyOf(load));
  const type = load.perRequest === 1 ? 'application/json' : 'application/x-ndjson';
  const args = [autocannonBin, '-j', '-m', 'POST', '-i', input, '-H', `content-type=${type}`];
  args.push('-c', String(load.connections), '-p', String(load.pipelining), '-a', String(load.requests), '-t', '60', url);
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (e, out) => (e ? reject(e) : resolve(out))),
    );
    const result = JSON.parse(stdout) as { '2xx': number; non2xx: number; errors: number };
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
    return result['2xx'] * load.perRequest;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn`, logging this process's CPU time per item (the server's: the load generator is a child). */
async function cpuPerItem(name: string, fn: () => Promise<number>): Promise<number> {
  const before = process.cpuUsage();
  const items = await fn();
  const used = process.cpuUsage(before);
  process.stderr.write(`  ${name}: ${((used.user + used.system) / items).toFixed(2)} µs CPU per item\n`);
  return items;
}

/** The baseline: node:http reading the body, parsing it as fromHttp does, answering 202 { ids }. */
function bare(load: Load): Variant {
  return {
    name: 'bare node:http',
    baseline: 'http',
    run: () => cpuPerItem('bare node:http', async () => {
      let next = 0;
      const server = createServer({ keepAlive: true }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const ids: number[] = [];
          if (load.perRequest === 1) {
            JSON.parse(text);
            ids.push(next++);
          } else {
            for (const line of text.split('\n')) {
              if (line.trim() === '') continue;
              JSON.parse(line);
              ids.push(next++);
            }
          }
          const body = JSON.stringify({ ids });
          res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        return await fire(`http://127.0.0.1:${(server.address() as { port: number }).port}/`, load);
      } finally {
        server.closeAllConnections();
        server.close();
      }
    }),
  };
}

function consecution(load: Load, durable: boolean): Variant {
  return {
    name: durable ? 'fromHttp, LMDB store' : 'fromHttp, memory store',
    run: () => cpuPerItem(durable ? 'fromHttp, LMDB store' : 'fromHttp, memory store', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'consecution-bench-http-'));
      try {
        let out = 0;
        const format: HttpSourceOptions['format'] = load.perRequest === 1 ? 'json' : 'ndjson';
        const http = fromHttp({ port: 0, format, maxBodyBytes: 4 * 1024 * 1024 });
        const c = new Consecutor(map((x: unknown) => x), {
          guarantee: 'replay',
          maxPending: 10_000,
          ...(durable ? { store: { path: dir } } : {}),
          outputs: { default: { push: () => void out++ } },
        });
        const done = c.run(http);
        const items = await fire((await http.address()).href, load);
        const report = await c.stop();
        await done;
        if (!report.ok || report.completed !== items || out !== items) throw new Error(`unclean run: ${JSON.stringify(report)}`);
        return items;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  };
}

function scenario(id: string, title: string, load: Load, minItemsPerSec: number): Scenario {
  const items = load.requests * load.perRequest;
  return {
    id,
    title,
    items,
    input: () => integers(items),
    expected: () => items,
    baselines: ['http'],
    variants: [bare(load), consecution(load, false), consecution(load, true)],
    targets: [{ variant: 'fromHttp, LMDB store', minItemsPerSec }],
    runs: 3,
    warmup: 1,
  };
}

export const httpIngest = scenario(
  'http-ingest',
  `fromHttp, 1-item JSON requests (autocannon: ${SINGLE.connections} connections)`,
  SINGLE,
  20_000,
);

export const httpIngestNdjson = scenario(
  'http-ingest-ndjson',
  `fromHttp, 1,000-line NDJSON bodies (autocannon: ${NDJSON.connections} connections)`,
  NDJSON,
  200_000,
);
