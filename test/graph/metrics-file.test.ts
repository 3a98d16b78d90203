import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, describe as describePipeline, filter, map, node, toDot } from 'consecution';
import { loadMetrics, saveMetrics } from '../../src/graph/metrics-file.js';
import { VirtualClock } from 'consecution/testing';

const dir = mkdtempSync(join(tmpdir(), 'consecution-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pipeline = pipe(
  map('parse', (s: string) => Number(s)),
  filter('valid', (n: number) => !Number.isNaN(n)),
  node('check', {
    process: (n: number) => {
      if (n === 4) throw new Error('four');
      return n;
    },
  }),
);

describe('metrics snapshot files', () => {
  it('a run’s snapshot saved and loaded again is the same, and draws with its counts', async () => {
    // On a virtual clock no time passes: the rates are 0 and the labels exact.
    const clock = new VirtualClock();
    const c = new Consecutor(pipeline, { clock });
    await clock.runUntil(c.run(['1', 'x', '3', '4', '5']));
    const snapshot = c.metrics();
    const file = join(dir, 'run.json');
    await saveMetrics(file, snapshot);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, metrics: snapshot });

    const loaded = await loadMetrics(file);
    expect(loaded).toEqual(snapshot);
    expect(loaded).toMatchObject({ ingested: 5, completed: 4, deadLettered: 1, running: false });
    expect(loaded.nodes.check).toMatchObject({ received: 4, emitted: 3, failed: 1, inFlight: 0 });
    // The gauges are there (their values are the core's business).
    expect(loaded.nodes.check).toEqual(expect.objectContaining({ busy: expect.any(Number), rate: expect.any(Number), queued: expect.any(Number) }));

    const dot = toDot(describePipeline(pipeline), loaded);
    expect(dot).toContain('"input" [label="input\\ningested 5"');
    expect(dot).toContain('[label="valid (filter)\\nreceived 5", shape=box]');
    expect(dot).toContain('[label="check (node)\\nreceived 4 · failed 1", shape=box, color="#d62728", penwidth=2]');
    expect(dot).toContain('"end" [label="end\\ncompleted 4 · dead-lettered 1", shape=oval]');
  });

  it('a bad snapshot: CONFIG_INVALID naming the file and each field that is wrong', async () => {
    const file = join(dir, 'bad.json');
    const node = { name: 'parse', kind: 'map', received: '12', emitted: 0, acked: 0, failed: 0, inFlight: 0, queued: 0, busy: 1.5, rate: 0, slowest: [] };
    const metrics = { running: false, ingested: 1, completed: 1, failed: 0, retried: 0, deadLettered: 0, errors: 0, rate: 0, blockedMs: 0, replayed: 0, nodes: { parse: node } };
    writeFileSync(file, JSON.stringify({ version: 1, metrics }));
    await expect(loadMetrics(file)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: [
        `${file}: not a metrics snapshot (version 1):`,
        'metrics.nodes.parse.received: expected number, got string "12"',
        'metrics.nodes.parse.busy: Too big: expected number to be <=1, got number 1.5',
        'metrics.pending: missing (expected number)',
      ].join('\n'),
    });
  });

  it('another version, a file that is not JSON, no file: CONFIG_INVALID naming the file', async () => {
    const other = join(dir, 'v2.json');
    writeFileSync(other, JSON.stringify({ version: 2, metrics: {} }));
    await expect(loadMetrics(other)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(`${other}: not a metrics snapshot (version 1):\nversion: expected 1, got number 2`) });

    const text = join(dir, 'report.txt');
    writeFileSync(text, 'ingested 5\n');
    await expect(loadMetrics(text)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^.*report\.txt: not a metrics snapshot \(not JSON: /) });

    const missing = join(dir, 'missing.json');
    await expect(loadMetrics(missing)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(`${missing}: cannot read the metrics snapshot: ENOENT`) });
  });
});
