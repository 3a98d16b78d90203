import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isConsecutionError } from 'consecution';
import { loadPipeline } from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'consecution-config-'));
let n = 0;
/** The message a pipeline file's load fails with (the file's directory prefix cut). */
async function failure(yaml: string, options: { set?: string[]; env?: Record<string, string> } = {}): Promise<string> {
  const file = join(dir, `p${++n}.yaml`);
  writeFileSync(file, yaml);
  try {
    await loadPipeline(file, options);
  } catch (e) {
    if (!isConsecutionError(e, 'CONFIG_INVALID')) throw e;
    return e.message.replaceAll(`${dir}/`, '');
  }
  throw new Error('expected the file to be refused');
}

describe('pipeline file errors: file:line:col, the key, what was expected, did you mean', () => {
  it('a YAML syntax error names line and column and shows the line', async () => {
    const m = await failure('source: { use: fromStdin\nnodes: []\n');
    expect(m).toMatch(/^p\d+\.yaml:\d+:\d+: /);
    expect(m.split('\n').length).toBeGreaterThan(1);
  });

  it('misspelt built-ins and parents get "did you mean"; every problem at once, in file order', async () => {
    const m = await failure(
      [
        'source: { use: watchDirectry, dir: ./in }',
        'nodes:',
        '  - { name: read, use: readFlie }',
        '  - { name: copy, use: writeFile, parents: [raed] }',
      ].join('\n'),
    );
    expect(m).toBe(
      [
        `p${n}.yaml: 4 problems:`,
        `p${n}.yaml:1:16: source.use: unknown source "watchDirectry" (did you mean watchDirectory?); known: fromFile, fromStdin, fromHttp, fromZmq, fromInterval, fromCron, watchDirectory, fromPostgres, fromRedisStream, fromNats`,
        `p${n}.yaml:3:24: nodes[0].use (node read): unknown built-in "readFlie" (did you mean readFile?); known: route, readFile, writeFile, print, map, filter, flatMap, check, chunk, ordered, toFile, toStdout, toHttp, toPostgres, toZmq, toRedisStream, toKafka, toNats, or a module path (./nodes/x.js)`,
        `p${n}.yaml:4:5: nodes[1].dir (node copy): missing: give a string (the directory to write into)`,
        `p${n}.yaml:4:45: nodes[1].parents[0] (node copy): unknown parent "raed" (did you mean read?); the source and nodes are: source, read, copy`,
      ].join('\n'),
    );
  });

  it('a missing param says what it is, at its node', async () => {
    const m = await failure('source: { use: fromStdin }\nnodes:\n  - { name: copy, use: writeFile }\n');
    expect(m).toContain(`p${n}.yaml:3:5: nodes[0].dir (node copy): missing: give a string (the directory to write into)`);
  });

  it('a cycle is named', async () => {
    const m = await failure('source: { use: fromStdin }\nnodes:\n  - { name: a, use: print, parents: [b] }\n  - { name: b, use: print, parents: [a] }\n');
    expect(m).toContain('the nodes form a cycle: a <- b <- a');
  });

  it('a name used twice is refused at the second', async () => {
    const m = await failure('source: { use: fromStdin }\nnodes:\n  - { name: a, use: print }\n  - { name: a, use: print }\n');
    expect(m).toContain(`p${n}.yaml:4:13: nodes[1].name (node a): the name "a" is used twice`);
  });

  it('${VAR} without a value or default is an error at its place; a default is used', async () => {
    const m = await failure('source: { use: fromFile, path: "${CONSECUTION_TEST_UNSET}" }\nnodes:\n  - { name: a, use: print }\n', { env: {} });
    expect(m).toBe(`p${n}.yaml:1:32: \${CONSECUTION_TEST_UNSET} is not set, and has no default (write \${CONSECUTION_TEST_UNSET:default} to give one)`);
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'maxPending: ${MAX:7}\nsource: { use: fromFile, path: "${IN:in.ndjson}" }\nnodes:\n  - { name: a, use: print }\n');
    const c = await loadPipeline(file, { env: {} });
    expect(c.options.maxPending).toBe(7);
    expect(c.source.name).toContain('in.ndjson');
  });

  it('--set names a node by name, and a bad value given by --set is located at the --set', async () => {
    const m = await failure('source: { use: fromStdin }\nnodes:\n  - { name: a, use: chunk, size: 2 }\n', { set: ['nodes.a.size=zero'] });
    expect(m).toContain('--set nodes.a.size=zero: nodes[0].size (node a): expected number, got string "zero"');
    const unknown = await failure('source: { use: fromStdin }\nnodes:\n  - { name: a, use: print }\n', { set: ['nodes.b.x=1'] });
    expect(unknown).toBe(`--set nodes.b.x=1: p${n}.yaml has no node b at nodes; its nodes: a`);
  });
});
