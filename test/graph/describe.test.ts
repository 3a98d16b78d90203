import { describe, expect, it } from 'vitest';
import { filter as rxFilter, map as rxMap, pipe, tap } from 'rxjs';
import { broadcast, chunk, describe as describePipeline, map, node, output, route, toMermaid, type Envelope } from 'consecution';

const pipeline = pipe(
  map('parse', (s: string) => Number(s)),
  broadcast(
    'fan',
    output('all'),
    pipe(
      chunk<number>('batch', 10),
      route('size', (b: number[]) => (b.length > 5 ? 'big' : 'small'), {
        big: node('bulk', { process: (b: number[]) => b.length }),
        small: map('few', (b: number[]) => b.length),
      }),
    ),
  ),
);

describe('describe', () => {
  it('returns the nodes (names as in metrics) and edges, without running anything', () => {
    const g = describePipeline(pipeline);
    expect(g.nodes.map((n) => `${n.name}:${n.kind}`)).toEqual([
      'input:source',
      'parse:map',
      'fan:broadcast',
      'all:output',
      'batch:chunk',
      'size:route',
      'bulk:node',
      'few:map',
      'end:end',
    ]);
    const name = (id: string) => g.nodes.find((n) => n.id === id)!.name;
    const edges = g.edges.map((e) => `${name(e.from)}->${name(e.to)}${e.label ? `|${e.label}` : ''}`);
    expect(edges).toEqual([
      'input->parse',
      'parse->fan',
      'fan->all|0',
      'fan->batch|1',
      'batch->size',
      'size->bulk|big',
      'size->few|small',
      'all->end',
      'bulk->end',
      'few->end',
    ]);
  });

  it('draws the graph as a Mermaid flowchart', () => {
    const m = toMermaid(describePipeline(pipeline));
    expect(m.split('\n')[0]).toBe('flowchart LR');
    expect(m).toContain('g_n5["size (route)"]');
    expect(m).toContain('g_n5 -->|big| g_n6');
    expect(m).toContain('g_end(["end"])');
    expect(m.match(/g_n5\[/g)).toHaveLength(1);
  });

  it('shows plain RxJS operators as "rxjs" nodes, in place, from our own stage descriptors only', () => {
    const log = tap<Envelope<number>>(() => {});
    const g = describePipeline(
      pipe(
        map('p', (x: number) => x),
        rxMap((e) => e),
        rxFilter(() => true),
        broadcast('fan', pipe(map('q', (x: number) => x), log), pipe(log, map('r', (x: number) => x))),
        log,
        map('c', (x: number) => x),
      ),
    );
    // The RxJS nodes are told apart by the order they appear in.
    const rx = g.nodes.filter((n) => n.kind === 'rxjs').map((n) => n.id);
    const name = (id: string) => (rx.includes(id) ? `rxjs${rx.indexOf(id) + 1}` : g.nodes.find((n) => n.id === id)!.name);
    // One "rxjs" node stands for each run of RxJS operators (RxJS does not say what an operator reads).
    expect(g.edges.map((e) => `${name(e.from)}->${name(e.to)}${e.label ? `|${e.label}` : ''}`)).toEqual([
      'input->p',
      'p->rxjs1',
      'rxjs1->fan',
      'fan->q|0',
      'q->rxjs2',
      'fan->rxjs3|1',
      'rxjs3->r',
      'rxjs2->rxjs4',
      'r->rxjs4',
      'rxjs4->c',
      'c->end',
    ]);
  });
});
