import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { broadcast, fromIterable, map, node, output, Consecutor } from 'consecution';
import { collect, runNode } from 'consecution/testing';

describe('broadcast', () => {
  it('gives every branch every item and merges their outputs', async () => {
    const { values } = await collect(broadcast(map((x: number) => x + 100), map((x: number) => -x)), [1, 2]);
    expect([...values].sort((a, b) => a - b)).toEqual([-2, -1, 101, 102]);
  });

  it('reads a one-shot synchronous source once: no branch misses an item', async () => {
    function* once() {
      yield* [1, 2, 3];
    }
    const a: number[] = [];
    const b: number[] = [];
    const report = await new Consecutor(broadcast(output('a'), output('b')), { outputs: { a, b } }).run(fromIterable(once()));
    expect(a).toEqual([1, 2, 3]);
    expect(b).toEqual([1, 2, 3]);
    expect(report).toMatchObject({ ok: true, ingested: 3, completed: 3 });
  });

  it('completes an item only when every branch has completed its copy (one acker update per item)', async () => {
    const { anchors } = await runNode(broadcast(map((x: number) => x), map((x: number) => x)), [1]);
    expect(anchors[0]!.complete).toBe(true);
    expect(anchors[0]!.adds).toBe(1);
    const held = await runNode(broadcast(map((x: number) => x), map((x: number) => x)), [1], { ackOutputs: false });
    expect(held.anchors[0]!.complete).toBe(false);
  });

  it('fails the item when any branch fails it', async () => {
    const { report } = await collect(
      broadcast(
        map((x: number) => x),
        node('picky', { process: (x: number) => { if (x === 2) throw new Error('no 2') } }),
      ),
      [1, 2, 3],
    );
    expect(report).toMatchObject({ completed: 2, deadLettered: 1 });
    expect(report.failures[0]).toMatchObject({ node: 'picky', item: 2 });
  });

  it('names branches in the graph', async () => {
    const { describe: d } = await import('consecution');
    const g = d(pipe(broadcast('fan', map('left', (x: number) => x), map('right', (x: number) => x))));
    expect(g.edges.filter((e) => e.from === g.nodes.find((n) => n.name === 'fan')!.id).map((e) => e.label)).toEqual(['0', '1']);
  });
});
