import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consecutor, map, openStoreReadOnly, type Source, type SourceContext } from 'consecution';
import { VirtualClock } from 'consecution/testing';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Three items; remembers every open()'s context and when each item was admitted. */
function probe(log: { admitted: number[]; pendingAtAdmit: number[]; contexts: SourceContext[] }, dir?: string): Source<number> {
  return {
    name: 'probe',
    open(_after, context) {
      log.contexts.push(context!);
      let n = 0;
      return {
        get position() {
          return n;
        },
        error: undefined,
        read: () => (n < 3 ? { done: false, value: n++ } : { done: true, value: undefined }),
        confirm(position) {
          void context!.state.save({ confirmed: position });
        },
        admitted(position) {
          log.admitted.push(position as number);
          // On a durable store an admitted item is already on disk (readable by another handle).
          if (dir !== undefined) {
            const view = openStoreReadOnly(dir);
            log.pendingAtAdmit.push(view.pending().length);
            void view.close();
          }
        },
        close() {},
      };
    },
  };
}

describe('what a run hands its source', () => {
  it('calls admitted() once per item, in order, under every guarantee', async () => {
    for (const guarantee of ['none', 'confirm', 'replay'] as const) {
      const log = { admitted: [] as number[], pendingAtAdmit: [] as number[], contexts: [] as SourceContext[] };
      const report = await new Consecutor(map((x: number) => x), { guarantee }).run(probe(log));
      expect(report.ok).toBe(true);
      expect(log.admitted, guarantee).toEqual([1, 2, 3]);
    }
  });

  it('calls admitted() on a durable store only once the item is journaled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-ctx-'));
    dirs.push(dir);
    const log = { admitted: [] as number[], pendingAtAdmit: [] as number[], contexts: [] as SourceContext[] };
    const c = new Consecutor(map((x: number) => x), { guarantee: 'replay', store: { path: dir } });
    expect((await c.run(probe(log, dir))).ok).toBe(true);
    expect(log.admitted).toEqual([1, 2, 3]);
    expect(log.pendingAtAdmit.every((p) => p >= 1)).toBe(true);
  });

  it("gives the run's clock, and a state that survives a restart on the same store", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-ctx-'));
    dirs.push(dir);
    const clock = new VirtualClock();
    const log = { admitted: [] as number[], pendingAtAdmit: [] as number[], contexts: [] as SourceContext[] };
    const options = { guarantee: 'replay' as const, store: { path: dir }, clock };
    const restored: unknown[] = [];
    const source = probe(log);
    const open = source.open.bind(source);
    source.open = (after, context) => {
      restored.push(context!.state.restore());
      return open(after, context);
    };
    await new Consecutor(map((x: number) => x), options).run(source);
    expect(log.contexts[0]!.clock).toBe(clock);
    // A second run on the same store (a restart) restores what the first saved last.
    await new Consecutor(map((x: number) => x), options).run(source);
    expect(restored).toEqual([undefined, { confirmed: 3 }]);
  });
});
