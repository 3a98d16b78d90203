import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cli, start } from './bin.js';

const examples = fileURLToPath(new URL('../../examples', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const temp = () => mkdtempSync(join(tmpdir(), 'consecution-run-'));
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A directory holding `pipeline.yaml` with `text`, and the given side files. */
function project(text: string, files: Record<string, string> = {}): { dir: string; file: string } {
  const dir = temp();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'pipeline.yaml'), text);
  return { dir, file: join(dir, 'pipeline.yaml') };
}

beforeAll(assertBuilt);

describe('consecution validate', () => {
  it('exits 0 for a valid file, naming its pipeline and source', () => {
    const r = cli(['validate', join(examples, 'orders/orders.yaml')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('orders.yaml: ok (pipeline orders, source orders.ndjson)');
  });

  it('every pipeline file in examples/ is valid', () => {
    for (const f of ['inbox.yaml', 'orders/orders.yaml']) expect({ f, ...cli(['validate', join(examples, f)]) }).toMatchObject({ f, status: 0, stderr: '' });
  });

  it('exits 1 with every problem at its line and column, did-you-mean included', () => {
    const { file } = project(`name: bad
guarantee: replai
source: { use: fromFile, path: ./in.ndjson }
nodes:
  - { name: a, use: mapp, fn: ./f.mjs }
  - { name: b, use: print, parents: [aa] }
`);
    const r = cli(['validate', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `${file}: 3 problems:
${file}:2:12: guarantee: expected one of "none", "confirm", "track", "replay", got string "replai" (did you mean replay?)
${file}:5:21: nodes[0].use (node a): unknown built-in "mapp" (did you mean map?); known: route, readFile, writeFile, print, map, filter, flatMap, check, chunk, ordered, toFile, toStdout, toHttp, toPostgres, toZmq, toRedisStream, toKafka, toNats, or a module path (./nodes/x.js)
${file}:6:38: nodes[1].parents[0] (node b): unknown parent "aa"; the source and nodes are: source, a, b
`,
    );
  });

  it('a YAML syntax error names the line and column and shows the line', () => {
    const { file } = project('name: x\nsource: { use: fromStdin\nnodes: []\n');
    const r = cli(['validate', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
  });
});

describe('consecution run', () => {
  it('runs a file: items routed to their files, a failed check dead-lettered; exit 1 since the report is not ok', () => {
    const out = temp();
    const r = cli(['run', join(examples, 'orders/orders.yaml')], { env: { OUT: out } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('orders: NOT OK, 5 ingested, 4 completed, 1 dead-lettered, 0 pending (replay');
    expect(r.stderr).toContain('valid: check "valid" failed on item');
    expect(lines(join(out, 'eu.ndjson')).map((o) => o.id)).toEqual([1]);
    expect(lines(join(out, 'us.ndjson')).map((o) => o.id)).toEqual([2, 5]);
    expect(lines(join(out, 'other.ndjson')).map((o) => o.id)).toEqual([3]);
    expect(lines(join(out, 'audit.ndjson')).map((o) => o.id).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(lines(join(out, 'dead-letters.ndjson')).map((d) => (d.item as { id: number }).id)).toEqual([4]);
  });

  it('exits 0 when everything completes; --set and --guarantee override the file', () => {
    const { dir, file } = project(
      `source: { use: fromFile, path: ./in.txt }
nodes:
  - { name: up, use: map, fn: ./up.mjs }
  - { name: out, use: toFile, path: ./out.ndjson, format: lines }
`,
      { 'in.txt': 'a\nb\n', 'other.txt': 'c\n', 'up.mjs': 'export default (s) => s.toUpperCase();\n' },
    );
    const r = cli(['run', file, '--set', 'source.path=./other.txt', '--guarantee', 'confirm']);
    expect(r.stderr).toContain('pipeline: ok, 1 ingested, 1 completed, 0 dead-lettered, 0 pending (confirm');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'out.ndjson'), 'utf8')).toBe('C\n');
  });

  it('exits 2 on a bad file or a bad flag, and touches nothing', () => {
    const { dir, file } = project(`source: { use: fromFile, path: ./in.txt, formt: ndjson }
nodes:
  - { name: out, use: toFile, path: ./out.ndjson }
`);
    const bad = cli(['run', file]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${file}:1:42: source.formt: unknown key (did you mean format?)`);
    expect(existsSync(join(dir, 'out.ndjson'))).toBe(false);
    const flag = cli(['run', file, '--bogus']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("error: unknown option '--bogus'");
    const missing = cli(['run']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'file'");
  });

  it('runs a NanoStream file unchanged: files dropped into the watched directory are printed and copied; SIGTERM stops it, exit 0', async () => {
    const { dir, file } = project(`pipeline_name: nano
node_sequence:
  - { name: watcher, class: WatchdogDirectoryListener, watchdog_path: ./in }
  - { name: reader, class: FileReader, parents: [watcher] }
  - { name: printer, class: PrintStreamProcessor, parents: [reader] }
  - { name: writer, class: FileWriter, path: ./out, parents: [reader] }
`);
    mkdirSync(join(dir, 'in'));
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'in', 'before.txt'), 'there before the run');
    const run = start(['run', file, '--store', join(dir, 'state')]);
    await run.waitFor('there before the run');
    writeFileSync(join(dir, 'in', 'dropped.txt'), 'dropped while it ran');
    await run.waitFor('dropped while it ran');
    // The printer and the writer are siblings: wait for the copy itself.
    for (let i = 0; i < 300 && readdirSync(join(dir, 'out')).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    expect(ended.stderr).toContain('SIGTERM: stopping');
    expect(ended.stderr).toMatch(/nano: ok, 2 ingested, 2 completed, 0 dead-lettered, 0 pending \(track, [\d.]+ s, stopped\)/);
    expect(ended.status).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['before.txt', 'dropped.txt']);
    expect(readFileSync(join(dir, 'out', 'dropped.txt'), 'utf8')).toBe('dropped while it ran');
  });

  it('a NanoStream file with a KafkaProducer validates; run with no broker (nothing listens on port 1) fails at open naming it, exit 1', () => {
    const { dir, file } = project(`pipeline_name: nano-kafka
node_sequence:
  - { name: watcher, class: WatchdogDirectoryListener, watchdog_path: ./in }
  - { name: reader, class: FileReader, parents: [watcher] }
  - { name: kafka, class: KafkaProducer, topic: files, brokers: "127.0.0.1:1", parents: [reader] }
`);
    mkdirSync(join(dir, 'in'));
    const valid = cli(['validate', file]);
    expect(valid).toMatchObject({ status: 0, stderr: '' });
    expect(valid.stdout).toContain('ok (pipeline nano-kafka, source in)');
    const r = cli(['run', file, '--no-view', '--store', join(dir, 'state')]);
    expect(r.stderr).toContain('consecution: output "kafka" failed to open: toKafka files on 127.0.0.1:1: cannot connect');
    expect(r.status).toBe(1);
  });

  it('a second signal exits at once with 128 + its number, while the first one drains', async () => {
    const { file } = project(
      `guarantee: replay
timeoutMs: 600000
source: { use: fromInterval, everyMs: 1 }
nodes:
  - { name: stuck, use: ${fixtures}/stuck.mjs }
`);
    const run = start(['run', file]);
    await run.waitFor('stuck');
    run.child.kill('SIGINT');
    await run.waitFor('SIGINT: stopping');
    run.child.kill('SIGINT');
    const ended = await run.ended;
    expect(ended.stderr).toContain('SIGINT again: exiting now');
    expect(ended.status).toBe(130);
  });
});

describe('consecution run: metrics', () => {
  it('--metrics-port serves Prometheus text while it runs; --metrics-out saves the last snapshot, which graph --metrics draws', async () => {
    const { dir, file } = project(
      `timeoutMs: 600000
drainMs: 100
source: { use: fromFile, path: ./in.txt }
nodes:
  - { name: stuck, use: ${fixtures}/stuck.mjs }
`,
      { 'in.txt': 'a\nb\n' },
    );
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const run = start(['run', file, '--metrics-port', String(port), '--metrics-out', join(dir, 'metrics.json')]);
    await run.waitFor(`metrics: http://127.0.0.1:${port}/metrics`);
    let text = '';
    for (let i = 0; i < 300 && !text.includes('consecution_node_in_flight{node="stuck"} 2'); i++) {
      text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
      if (!text.includes('consecution_node_in_flight{node="stuck"} 2')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toContain('consecution_node_received_total{node="stuck"} 2');
    expect(text).toContain('consecution_ingested_total 2');
    expect(text).toContain('consecution_running 1');
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    // Stopped with 2 items never done: not ok.
    expect(ended.stderr).toContain('2 ingested, 0 completed, 0 dead-lettered, 2 pending');
    expect(ended.status).toBe(1);
    const drawn = cli(['graph', file, '--format', 'dot', '--metrics', join(dir, 'metrics.json')]);
    expect(drawn.status).toBe(0);
    expect(drawn.stdout).toContain('received 2');
    expect(drawn.stdout).toContain('ingested 2');
    const bad = cli(['run', file, '--metrics-port', 'http']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("error: option '--metrics-port <port>' argument 'http' is invalid. expected a port, 0 to 65535.");
  });
});

describe('consecution graph / schema / test', () => {
  const orders = join(examples, 'orders/orders.yaml');

  it('draws the file as Mermaid, DOT and SVG, with its source and node names', () => {
    const mermaid = cli(['graph', orders]);
    expect(mermaid.status).toBe(0);
    expect(mermaid.stdout).toContain('flowchart LR\n  g_input(["orders.ndjson"])\n  g_n1["priced (map)"]');
    expect(mermaid.stdout).toContain('g_n3["region (route)"]');
    const dot = cli(['graph', orders, '--format', 'dot']);
    expect(dot.stdout).toContain('"n1" -> "n7";');
    const svg = cli(['graph', orders, '--format', 'svg']);
    expect(svg.status).toBe(0);
    expect(svg.stdout).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*region \(route\)[\s\S]*<\/svg>/);
    const bad = cli(['graph', orders, '--format', 'png']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--format must be one of mermaid, dot, svg, got "png"');
  });

  it('prints the JSON Schema of pipeline files', () => {
    const r = cli(['schema']);
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['source', 'nodes', 'guarantee', 'store', 'deadLetter']));
    expect(r.stdout).toContain('"fromFile"');
    expect(r.stdout).toContain('"toKafka"');
  });

  it('runs a test file: exit 0 when every case passes, 1 naming what differed when one does not', () => {
    const ok = cli(['test', join(examples, 'orders/orders.test.yaml')]);
    expect(ok.stdout).toContain('2 passed, 0 failed');
    expect(ok.status).toBe(0);
    const dir = temp();
    cpSync(join(examples, 'orders'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'wrong.test.yaml'),
      `pipeline: ./orders.yaml
cases:
  - name: a wrong expectation
    input: [{ id: 9, region: us, quantity: 1, unitPrice: 2 }]
    expect: { us: [{ id: 9, total: 3 }] }
`,
    );
    const failing = cli(['test', join(dir, 'wrong.test.yaml')]);
    expect(failing.status).toBe(1);
    expect(failing.stdout).toContain('FAIL a wrong expectation');
    expect(failing.stdout).toContain('us: expected [{"id":9,"total":3}], got [{"id":9,"region":"us","quantity":1,"unitPrice":2,"total":2}]');
    expect(failing.stdout).toContain('0 passed, 1 failed');
  });
});
