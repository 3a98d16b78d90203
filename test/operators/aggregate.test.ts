import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { aggregate, broadcast, Consecutor, node, openStore, output } from 'consecution';
import { collect } from 'consecution/testing';

interface Order {
  readonly country: string;
  readonly cents: number;
}

const orders: Order[] = [
  { country: 'FR', cents: 100 },
  { country: 'DE', cents: 50 },
  { country: 'FR', cents: 25 },
];

describe('aggregate', () => {
  it('folds each value into the state of its key and emits the Map at the end', async () => {
    const { values, report } = await collect(aggregate('revenue', (o: Order) => o.country, (sum: number, o: Order) => sum + o.cents, 0), orders);
    expect(values).toEqual([new Map([['FR', 125], ['DE', 50]])]);
    expect(report.nodes['revenue']).toMatchObject({ kind: 'aggregate', received: 3, acked: 3 });
  });

  it('starts each key from a fresh seed when the seed is a function', async () => {
    const { values } = await collect(aggregate((o: Order) => o.country, (list: number[], o: Order) => (list.push(o.cents), list), () => []), orders);
    expect(values).toEqual([new Map([['FR', [100, 25]], ['DE', [50]]])]);
  });

  it('is exact under replay: an item replayed after it was folded is not counted twice', async () => {
    let failures = 0;
    const out: Map<string, number>[] = [];
    const c = new Consecutor(
      broadcast(
        pipe(aggregate('revenue', (o: Order) => o.country, (sum: number, o: Order) => sum + o.cents, 0), output('out')),
        // The other branch fails the 25-cent order once: the whole item is replayed, and reaches
        // the aggregate a second time after it was folded.
        node('audit', {
          process(o: Order) {
            if (o.cents === 25 && failures++ === 0) throw new Error('audit log busy');
          },
        }),
      ),
      { guarantee: 'replay', outputs: { out } },
    );
    const report = await c.run(orders);
    expect(report).toMatchObject({ ok: true, retried: 1, completed: 3 });
    expect(out).toEqual([new Map([['FR', 125], ['DE', 50]])]);
  });

  it('resumes from its checkpoint after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-aggregate-'));
    const store = openStore(dir);
    // Before the crash: FR 100 folded and checkpointed, the item (#0) still pending.
    await store.journal([{ id: 0, value: orders[0], position: 0 }], 0);
    await store.checkpoint('revenue', { state: new Map([['FR', 100]]), folded: [[0, [[0, 1, undefined]]]] });
    await store.close();
    const out: Map<string, number>[] = [];
    const c = new Consecutor(pipe(aggregate('revenue', (o: Order) => o.country, (sum: number, o: Order) => sum + o.cents, 0), output('out')), {
      guarantee: 'replay',
      store: { path: dir },
      outputs: { out },
    });
    expect((await c.run(orders)).ok).toBe(true);
    expect(out).toEqual([new Map([['FR', 125], ['DE', 50]])]);
  });
});
