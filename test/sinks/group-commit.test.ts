import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/sinks/group-commit.js';

/** A commit that stays open until the test lets it go, recording each batch. */
function gate() {
  const batches: number[][] = [];
  const inFlight: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const commit = (batch: readonly number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push([...batch]);
      inFlight.push({ resolve, reject });
    });
  return { batches, commit, release: () => inFlight.shift()!.resolve(), fail: (e: Error) => inFlight.shift()!.reject(e) };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('commits a synchronous burst as one batch, and what arrives meanwhile as the next', async () => {
    const g = gate();
    const sink = new GroupCommit(g.commit);
    const done: number[] = [];
    for (const x of [1, 2, 3]) void sink.append(x).then(() => done.push(x));
    await tick();
    expect(g.batches).toEqual([[1, 2, 3]]);
    for (const x of [4, 5]) void sink.append(x).then(() => done.push(x));
    await tick();
    expect(g.batches).toHaveLength(1); // 4 and 5 wait for the commit in flight
    expect(done).toEqual([]); // nothing resolves before its commit
    g.release();
    await tick();
    expect(done).toEqual([1, 2, 3]);
    expect(g.batches).toEqual([[1, 2, 3], [4, 5]]);
    g.release();
    await sink.drain();
    expect(done).toEqual([1, 2, 3, 4, 5]);
  });

  it('holds at most maxBatch items per commit', async () => {
    const g = gate();
    const sink = new GroupCommit(g.commit, 2);
    const all = [1, 2, 3, 4, 5].map((x) => sink.append(x));
    await tick();
    g.release();
    await tick();
    g.release();
    await tick();
    g.release();
    await Promise.all(all);
    expect(g.batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every append of a failed batch with its error, and goes on with the next', async () => {
    const g = gate();
    const sink = new GroupCommit(g.commit);
    const a = sink.append(1);
    const b = sink.append(2);
    await tick();
    const c = sink.append(3);
    g.fail(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    await tick();
    g.release();
    await expect(c).resolves.toBeUndefined();
  });

  it('turns a commit that throws synchronously into rejected appends', async () => {
    const sink = new GroupCommit<number>(() => {
      throw new Error('bad');
    });
    await expect(sink.append(1)).rejects.toThrow('bad');
    expect(sink.size).toBe(0);
  });
});
