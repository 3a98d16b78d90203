import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { describe as describePipeline, map, node, route, toDot, toMermaid, toSvg, type Metrics, type NodeMetrics } from 'consecution';

// parse -> size -> big: enrich / small: pass
const pipeline = pipe(
  map('parse', (s: string) => Number(s)),
  route('size', (n: number) => (n > 5 ? 'big' : 'small'), {
    big: node('enrich', { process: (n: number) => n * 2 }),
    small: map('pass', (n: number) => n),
  }),
);
const graph = describePipeline(pipeline);

function nodeMetrics(name: string, kind: string, m: Partial<NodeMetrics>): NodeMetrics {
  const counts = { received: 0, emitted: 0, acked: 0, failed: 0, inFlight: 0, queued: 0, busy: 0, rate: 0, slowest: [] };
  return { name, kind, ...counts, ...m };
}

// A snapshot made by hand: the gauges of a run that has a bottleneck at `enrich`.
const metrics: Metrics = {
  running: true,
  pending: 3,
  ingested: 1200,
  completed: 1192,
  failed: 5,
  retried: 0,
  deadLettered: 5,
  errors: 0,
  rate: 40,
  blockedMs: 0,
  replayed: 0,
  nodes: {
    parse: nodeMetrics('parse', 'map', { received: 1200, emitted: 1200, busy: 0.1, rate: 40, latency: { p50: 0.1, p99: 0.25, max: 1 } }),
    size: nodeMetrics('size', 'route', { received: 1200, emitted: 1200, rate: 40 }),
    enrich: nodeMetrics('enrich', 'node', { received: 700, emitted: 692, failed: 5, inFlight: 3, busy: 0.9, rate: 70 / 3, latency: { p50: 40, p99: 181.4, max: 950 } }),
    pass: nodeMetrics('pass', 'map', { received: 500, emitted: 500, busy: 0.6, rate: 50 / 3 }),
  },
};

describe('graphs drawn with their numbers', () => {
  it('DOT: a second line of numbers per node, busy nodes filled, failing ones with a red border', () => {
    expect(toDot(graph, metrics)).toBe(
      [
        'digraph pipeline {',
        '  rankdir=LR;',
        '  node [fontname="Helvetica", fontsize=11];',
        '  "input" [label="input\\ningested 1,200 · 40/s", shape=oval];',
        '  "n1" [label="parse (map)\\nreceived 1,200 · 40/s · busy 10% · p99 0.25 ms", shape=box];',
        '  "n2" [label="size (route)\\nreceived 1,200 · 40/s", shape=box];',
        '  "n3" [label="enrich (node)\\nreceived 700 · failed 5 · 23.3/s · busy 90% · p99 181 ms", shape=box, style=filled, fillcolor="#ff8f87", color="#d62728", penwidth=2];',
        '  "n4" [label="pass (map)\\nreceived 500 · 16.7/s · busy 60%", shape=box, style=filled, fillcolor="#ffc98b"];',
        '  "end" [label="end\\ncompleted 1,192 · dead-lettered 5", shape=oval];',
        '  "input" -> "n1";',
        '  "n1" -> "n2";',
        '  "n2" -> "n3" [label="big"];',
        '  "n2" -> "n4" [label="small"];',
        '  "n3" -> "end";',
        '  "n4" -> "end";',
        '}',
      ].join('\n'),
    );
  });

  it('Mermaid: the numbers after a <br/>, and a style line per marked node', () => {
    expect(toMermaid(graph, metrics)).toBe(
      [
        'flowchart LR',
        '  g_input(["input<br/>ingested 1,200 · 40/s"])',
        '  g_n1["parse (map)<br/>received 1,200 · 40/s · busy 10% · p99 0.25 ms"]',
        '  g_n2["size (route)<br/>received 1,200 · 40/s"]',
        '  g_n3["enrich (node)<br/>received 700 · failed 5 · 23.3/s · busy 90% · p99 181 ms"]',
        '  g_n4["pass (map)<br/>received 500 · 16.7/s · busy 60%"]',
        '  g_end(["end<br/>completed 1,192 · dead-lettered 5"])',
        '  g_input --> g_n1',
        '  g_n1 --> g_n2',
        '  g_n2 -->|big| g_n3',
        '  g_n2 -->|small| g_n4',
        '  g_n3 --> g_end',
        '  g_n4 --> g_end',
        '  style g_n3 fill:#ff8f87,stroke:#d62728,stroke-width:2px',
        '  style g_n4 fill:#ffc98b',
      ].join('\n'),
    );
  });

  it('without metrics, draws the plain graph as before', () => {
    expect(toDot(graph)).toBe(
      [
        'digraph pipeline {',
        '  rankdir=LR;',
        '  node [fontname="Helvetica", fontsize=11];',
        '  "input" [label="input", shape=oval];',
        '  "n1" [label="parse (map)", shape=box];',
        '  "n2" [label="size (route)", shape=box];',
        '  "n3" [label="enrich (node)", shape=box];',
        '  "n4" [label="pass (map)", shape=box];',
        '  "end" [label="end", shape=oval];',
        '  "input" -> "n1";',
        '  "n1" -> "n2";',
        '  "n2" -> "n3" [label="big"];',
        '  "n2" -> "n4" [label="small"];',
        '  "n3" -> "end";',
        '  "n4" -> "end";',
        '}',
      ].join('\n'),
    );
    expect(toMermaid(graph).split('\n')).toEqual([
      'flowchart LR',
      '  g_input(["input"])',
      '  g_n1["parse (map)"]',
      '  g_n2["size (route)"]',
      '  g_n3["enrich (node)"]',
      '  g_n4["pass (map)"]',
      '  g_end(["end"])',
      '  g_input --> g_n1',
      '  g_n1 --> g_n2',
      '  g_n2 -->|big| g_n3',
      '  g_n2 -->|small| g_n4',
      '  g_n3 --> g_end',
      '  g_n4 --> g_end',
    ]);
  });

  it('a node the metrics do not know (another run, a plain RxJS operator) keeps its one line', () => {
    const { enrich: _, ...others } = metrics.nodes;
    const dot = toDot(graph, { ...metrics, nodes: others });
    expect(dot).toContain('  "n3" [label="enrich (node)", shape=box];');
  });

  it('SVG: the numbers and the colours are in the drawing', async () => {
    const svg = await toSvg(graph, metrics);
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('>enrich (node)</text>');
    expect(svg).toContain('>received 700 · failed 5 · 23.3/s · busy 90% · p99 181 ms</text>');
    expect(svg).toContain('>ingested 1,200 · 40/s</text>');
    expect(svg).toMatch(/<polygon fill="#ff8f87" stroke="#d62728" stroke-width="2"/);
    expect(svg).toMatch(/<polygon fill="#ffc98b" stroke="black"/);
  });
});
