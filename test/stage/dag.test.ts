import { describe, expect, it } from 'vitest';
import { Consecutor, describe as describePipeline, map, node, output, type Guarantee } from 'consecution';
import { dag } from '../../src/stage/dag.js';

// input -> a -> (b, c); b -> (d, e); c -> d; e -> f; c -> f: d and f read merges that cross (not
// series-parallel: no nesting of broadcast and its merge says this graph).
function crossing(failOnce?: Set<string>) {
  return dag<number, never>('g', [
    { name: 'a', node: map('a', (n: number) => n * 10), parents: [-1] },
    { name: 'b', node: map('b', (n: number) => n + 1), parents: [0] },
    { name: 'c', node: map('c', (n: number) => n + 2), parents: [0] },
    {
      name: 'd',
      node: node('d', {
        process: (n: number) => {
          if (failOnce?.delete(`d${n}`) === true) throw new Error(`d fails ${n} once`);
          return `d${n}`;
        },
      }),
      parents: [1, 2],
    },
    { name: 'e', node: map('e', (n: number) => n + 3), parents: [1] },
    { name: 'f', node: map('f', (n: number) => `f${n}`), parents: [4, 2] },
    { name: 'out', node: output('out'), parents: [3, 5] },
  ]);
}

describe('dag', () => {
  it.each<Guarantee>(['none', 'confirm', 'track', 'replay'])('sends every item down every path of a crossing graph (%s)', async (guarantee) => {
    const out: string[] = [];
    const report = await new Consecutor(crossing(), { guarantee, outputs: { out } }).run([1, 2]);
    expect(report.ok).toBe(true);
    // 1 -> a 10 -> b 11, c 12 -> d11 d12, e 14 -> f14, f12
    expect(out.sort()).toEqual(['d11', 'd12', 'd21', 'd22', 'f12', 'f14', 'f22', 'f24'].sort());
    if (guarantee !== 'none') expect(report.completed).toBe(2);
  });

  it('under replay, an item failed on one path is replayed whole and completes once', async () => {
    const out: string[] = [];
    const report = await new Consecutor(crossing(new Set(['d12'])), { guarantee: 'replay', retries: 1, outputs: { out } }).run([1]);
    expect(report.ok).toBe(true);
    expect(report.completed).toBe(1);
    expect(report.retried).toBe(1);
    expect(out.filter((x) => x === 'd11').length).toBeGreaterThanOrEqual(1);
    expect(new Set(out)).toEqual(new Set(['d11', 'd12', 'f12', 'f14']));
  });

  it('describe() shows the graph as given: each node fed by its parents', () => {
    const g = describePipeline(crossing());
    const name = (id: string) => g.nodes.find((n) => n.id === id)!.name;
    expect(g.edges.map((e) => `${name(e.from)}->${name(e.to)}`).sort()).toEqual(
      ['input->a', 'a->b', 'a->c', 'b->d', 'c->d', 'b->e', 'e->f', 'c->f', 'd->out', 'f->out', 'out->end'].sort(),
    );
  });

  it('refuses a segment that reads a later one', () => {
    expect(() => dag('bad', [{ name: 'x', node: map((n: number) => n), parents: [1] }])).toThrow(/x must read earlier segments/);
  });
});

describe('dag routes', () => {
  const routed = () =>
    dag<number, never>('r', [
      { name: 'size', pick: (n: number) => (n > 10 ? 'big' : n > 0 ? 'small' : 'none'), parents: [-1] },
      { name: 'big', node: map('big', (n: number) => `big ${n}`), parents: [0] },
      { name: 'small', node: map('small', (n: number) => `small ${n}`), parents: [0] },
      { name: 'out', node: output('out'), parents: [1, 2] },
    ]);

  it('sends each item to the one child its pick names; an item naming none fails with ROUTE_UNMATCHED', async () => {
    const out: string[] = [];
    const report = await new Consecutor(routed(), { outputs: { out } }).run([5, 50, -1]);
    expect(out.sort()).toEqual(['big 50', 'small 5']);
    expect(report.failed).toBe(1);
    expect(report.failures[0]!.error.code).toBe('ROUTE_UNMATCHED');
    expect(report.failures[0]!.error.message).toContain('"none" for item -1 names no child (children: big, small)');
  });

  it('describe() shows the route as a node with its children', () => {
    const g = describePipeline(routed());
    const name = (id: string) => g.nodes.find((n) => n.id === id)!.name;
    expect(g.nodes.find((n) => n.name === 'size')!.kind).toBe('route');
    expect(g.edges.map((e) => `${name(e.from)}->${name(e.to)}`).sort()).toEqual(['input->size', 'size->big', 'size->small', 'big->out', 'small->out', 'out->end'].sort());
  });
});
