import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Consecutor, describe as describePipeline } from 'consecution';
import { loadPipeline } from '../../src/config/index.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;

function setUp(yaml: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'consecution-yaml-'));
  writeFileSync(join(dir, 'orders.ndjson'), [10, 60, 5, 70].map((amount, id) => JSON.stringify({ id, amount })).join('\n') + '\n');
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, yaml.replaceAll('FIXTURES', fixtures));
  return { dir, file };
}

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: number; amount: number; tagged?: boolean });

describe('pipelines from files', () => {
  it.each(['sync', 'thread'])('compiles a DAG with functions and a defineNode module from files, and runs it (%s)', async (mode) => {
    const { dir, file } = setUp(`
name: orders
guarantee: replay
mode: ${mode}
source: { use: fromFile, path: orders.ndjson, format: ndjson }
nodes:
  - { name: double, use: map, fn: FIXTURES/double.ts }
  - { name: big, use: filter, where: "FIXTURES/double.ts#isBig" }
  - { name: tag, use: FIXTURES/tag.ts, parallelism: 1 }
  - { name: rows, use: toFile, path: big.ndjson }
  - { name: audit, use: toFile, path: audit.ndjson, parents: [double] }
  - { name: both, use: toFile, path: both.ndjson, parents: [tag, audit-copy] }
  - { name: audit-copy, use: map, fn: FIXTURES/double.ts, parents: [double] }
`);
    const { pipeline, source, options, name } = await loadPipeline(file);
    expect(name).toBe('orders');
    const report = await new Consecutor(pipeline, options).run(source);
    expect(report.ok).toBe(true);
    expect(report.completed).toBe(4);
    // Relative paths resolve against the file's directory.
    expect(lines(join(dir, 'big.ndjson')).map((o) => o.id).sort()).toEqual([1, 3]);
    expect(lines(join(dir, 'big.ndjson')).every((o) => o.tagged === true)).toBe(true);
    expect(lines(join(dir, 'audit.ndjson')).map((o) => o.amount).sort((a, b) => a - b)).toEqual([10, 20, 120, 140]);
    // both: the merge of tag (2 items) and audit-copy (4 items), a node with two parents.
    expect(lines(join(dir, 'both.ndjson')).length).toBe(6);
  });

  it('describe() of the compiled pipeline shows the graph of the file', async () => {
    const { file } = setUp(`
source: { use: fromFile, path: orders.ndjson, format: ndjson }
nodes:
  - { name: double, use: map, fn: FIXTURES/double.ts }
  - { name: big, use: filter, where: "FIXTURES/double.ts#isBig" }
  - { name: rows, use: toFile, path: big.ndjson }
  - { name: audit, use: toFile, path: audit.ndjson, parents: [double] }
  - { name: all, use: print, parents: [big, double] }
`);
    const g = describePipeline((await loadPipeline(file)).pipeline);
    const name = (id: string) => g.nodes.find((n) => n.id === id)!.name;
    expect(g.edges.map((e) => `${name(e.from)}->${name(e.to)}`).sort()).toEqual(
      ['input->double', 'double->big', 'big->rows', 'double->audit', 'big->all', 'double->all', 'rows->end', 'audit->end', 'all->end'].sort(),
    );
  });

  it('routes: each item goes to the child by() names', async () => {
    const { dir, file } = setUp(`
source: { use: fromFile, path: orders.ndjson, format: ndjson }
nodes:
  - { name: size, use: route, by: FIXTURES/size.ts }
  - { name: big, use: toFile, path: big.ndjson, parents: [size] }
  - { name: small, use: toFile, path: small.ndjson, parents: [size] }
`);
    const { pipeline, source, options } = await loadPipeline(file);
    expect((await new Consecutor(pipeline, options).run(source)).ok).toBe(true);
    expect(lines(join(dir, 'big.ndjson')).map((o) => o.id).sort()).toEqual([1, 3]);
    expect(lines(join(dir, 'small.ndjson')).map((o) => o.id).sort()).toEqual([0, 2]);
  });

  it('reads NanoStream files unchanged: class names map to the built-ins, the first node is the source', async () => {
    const { file } = setUp(`
pipeline_name: nano
node_sequence:
  - { name: watcher, class: WatchdogDirectoryListener, watchdog_path: ./in }
  - { name: reader, class: FileReader, parents: [watcher] }
  - { name: writer, class: FileWriter, path: ./out, parents: [reader] }
`);
    const c = await loadPipeline(file);
    expect(c.name).toBe('nano');
    const g = describePipeline(c.pipeline);
    expect(g.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual(['input:source', 'reader:node', 'writer:node', 'end:end']);
  });

  // Nothing listens on port 1 or 2 of this machine: connecting is refused at once (retries: 1 keeps
  // kafkajs's backoff short; the assertions are on the outcome only).
  it.each([
    ['one comma-separated string', '"127.0.0.1:1, 127.0.0.1:2"'],
    ['a list', '[127.0.0.1:1, 127.0.0.1:2]'],
  ])('a NanoStream KafkaProducer is toKafka, its brokers %s: with none reachable, the run fails at open with OUTPUT_FAILED naming them', async (_, brokers) => {
    const { dir, file } = setUp(`
pipeline_name: nano
node_sequence:
  - { name: watcher, class: WatchdogDirectoryListener, watchdog_path: ./in }
  - { name: reader, class: FileReader, parents: [watcher] }
  - { name: kafka, class: KafkaProducer, topic: files, brokers: ${brokers}, retries: 1, parents: [reader] }
`);
    mkdirSync(join(dir, 'in'));
    const c = await loadPipeline(file);
    expect(Object.keys(c.options.outputs ?? {})).toEqual(['kafka']);
    const error = await new Consecutor(c.pipeline, c.options).run(c.source).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining('output "kafka" failed to open: toKafka files on 127.0.0.1:1,127.0.0.1:2: cannot connect') });
  });

  it('bad KafkaProducer params are named at their line and column, all at once', async () => {
    const { file } = setUp(`
pipeline_name: nano
node_sequence:
  - { name: watcher, class: WatchdogDirectoryListener, watchdog_path: ./in }
  - { name: k1, class: KafkaProducer, brokers: "kafka1:9092" }
  - { name: k2, class: KafkaProducer, topic: files, brokers: [kafka1:9092, kafka2] }
  - { name: k3, class: KafkaProducer, topic: files, parents: [watcher] }
`);
    const expected = "host:port strings (['127.0.0.1:9092'], or one comma-separated string)";
    await expect(loadPipeline(file)).rejects.toThrow(
      [
        `${file}: 3 problems:`,
        `${file}:5:5: node_sequence[1].topic (node k1): missing: give a string (the topic each value is produced to)`,
        `${file}:6:62: node_sequence[2].brokers (node k2): ${expected}, got array ["kafka1:9092","kafka2"]`,
        `${file}:7:5: node_sequence[3].brokers (node k3): missing: give the brokers to bootstrap from: host:port strings, a list (['kafka1:9092', 'kafka2:9092']) or one comma-separated string ('kafka1:9092,kafka2:9092')`,
      ].join('\n'),
    );
  });

  it('a misspelt NanoStream class is named at its line, with the class it was likely meant to be', async () => {
    const { file } = setUp(`
pipeline_name: nano
node_sequence:
  - { name: watcher, class: WatchdogDirectoryListener, watchdog_path: ./in }
  - { name: reader, class: FileReeder, parents: [watcher] }
`);
    await expect(loadPipeline(file)).rejects.toThrow(/pipeline\.yaml:5:28: node_sequence\[1\]\.class \(node reader\): unknown built-in "FileReeder" \(did you mean FileReader\?\)/);
  });
});
