import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, ConsecutionError, defineNode, offload, output, type Mode } from 'consecution';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);
const modes: Mode[] = ['sync', 'thread', 'process'];

describe('offload', () => {
  it.each(modes)('runs a defineNode module in %s mode with the same result', async (mode) => {
    const out: number[] = [];
    const c = new Consecutor(pipe(offload<number, number>(fixture('double'), { parallelism: 2, batch: 8 }), output('out')), {
      mode,
      outputs: { out },
    });
    const input = Array.from({ length: 100 }, (_, i) => i + 20);
    const report = await c.run([...input, -5, 13, 1000, 1001]);
    const expected = [...input.map((x) => x * 2), 5, 5];
    expect(out.filter((x) => x > -1000).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    // end() ran in each worker (one inline in sync mode) and pushed its count
    expect(out.filter((x) => x <= -1000)).toHaveLength(mode === 'sync' ? 1 : 2);
    expect(report).toMatchObject({ ingested: 104, completed: 101, deadLettered: 3 });
    const failure = (item: number) => report.failures.find((f) => f.item === item)!;
    expect(failure(13).node).toBe('double');
    expect(failure(13).error.message).toBe('node "double" failed on item 13: thirteen is unlucky');
    expect(failure(13).error.stack).toContain('double.ts');
    // A Left crosses back as a rejection with its reason, not retried
    expect(failure(1000)).toMatchObject({ error: { code: 'NODE_REJECTED' }, reason: { problem: 'too big' } });
    expect(failure(1001).error.message).toContain('ctx.write() is not available in an offloaded node');
  });

  it.each(['thread', 'process'] as const)('a worker killed mid-run loses nothing in %s mode (replayed)', async (mode) => {
    const out: number[] = [];
    const c = new Consecutor(pipe(offload<number, number>(fixture('crash'), { parallelism: 2, batch: 4 }), output('out')), {
      mode,
      guarantee: 'replay',
      outputs: { out },
    });
    const report = await c.run(Array.from({ length: 40 }, (_, i) => i));
    expect(report).toMatchObject({ ok: true, completed: 40, deadLettered: 0 });
    expect(report.retried).toBeGreaterThan(0);
    expect(report.failures.some((f) => f.error.code === 'WORKER_CRASHED')).toBe(true);
    expect(report.nodes.crash!.crashes).toBeGreaterThan(0);
    expect([...new Set(out)].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it.each(modes)('is named by its first argument, or by its file, in the report, in errors and in ctx.node (%s mode)', async (mode) => {
    const out: string[] = [];
    const named = pipe(offload<number, string>('scorer', fixture('whoami'), { parallelism: 1 }), output('out'));
    const report = await new Consecutor(named, { mode, outputs: { out } }).run([1, -1, 2]);
    expect(out.sort()).toEqual(['end:scorer', 'scorer:1', 'scorer:2']);
    expect(Object.keys(report.nodes)).toContain('scorer');
    expect(report.nodes.scorer).toMatchObject({ kind: 'offload', received: 3, failed: 1 });
    expect(report.failures[0]).toMatchObject({ node: 'scorer', error: { message: 'node "scorer" failed on item -1: negative' } });

    const byFile: string[] = [];
    const unnamed = await new Consecutor(offload<number, string>(fixture('whoami'), { parallelism: 1 }), { mode, outputs: { default: byFile } }).run([3]);
    expect(byFile.sort()).toEqual(['end:whoami', 'whoami:3']);
    expect(Object.keys(unnamed.nodes)).toEqual(['whoami']);
  });

  it.each(['thread', 'process'] as const)('fails only the items whose value cannot cross, either way, and says why (%s)', async (mode) => {
    const out: unknown[] = [];
    const input: unknown[] = [1, { f: () => 1 }, 2, { back: 'fn' }, 3];
    const c = new Consecutor(offload(fixture('unclonable'), { parallelism: 1, batch: 8 }), {
      mode,
      guarantee: 'replay',
      retries: 2,
      outputs: { default: out },
    });
    const report = await c.run(input);
    // Neither item can ever cross, so neither is retried.
    expect(report).toMatchObject({ ingested: 5, completed: 3, deadLettered: 2, retried: 0 });
    expect(out.filter((v) => typeof v === 'number').sort()).toEqual([1, 2, 3, 7]);
    const where = mode === 'thread' ? 'worker thread' : 'worker process';
    // (The worker's copy of the fixture is compiled by tsx: `() => 1` may read `()=>1` there.)
    expect(report.failures.map((f) => [f.node, f.error.code, f.error.message])).toEqual([
      ['unclonable', 'BAD_INPUT', `node "unclonable": item {"f":"[function f]"} cannot be sent to a ${where}: () => 1 could not be cloned.`],
      ['unclonable', 'NODE_FAILED', expect.stringMatching(/^node "unclonable": a value item \{"back":"fn"\} pushed cannot be sent back from the worker: \(\) ?=> ?1 could not be cloned\.$/)],
      ['unclonable', 'NODE_FAILED', expect.stringMatching(/^node "unclonable": a value end\(\) pushed cannot be sent back from the worker: \(\) ?=> ?2 could not be cloned\.$/)],
    ]);
  });

  it('sizes batches to the pace of the node: slow items are read as the worker gets through them, not a default batch at once', async () => {
    // 60 items of 50 ms on one worker take 3 s. In batches of 256 they would all be read and sent
    // at once, and the later ones would wait seconds in the worker (past a short timeoutMs); in
    // batches sized to about 100 ms of work the source is held while the worker is busy. What is
    // counted is how many items were read and not yet out, at each read: no clock involved.
    const out: number[] = [];
    const input = Array.from({ length: 60 }, (_, i) => i);
    let most = 0;
    function* items() {
      for (const x of input) {
        most = Math.max(most, x + 1 - out.length);
        yield x;
      }
    }
    const c = new Consecutor(offload<number, number>(fixture('steady'), { parallelism: 1 }), { mode: 'thread', guarantee: 'confirm', outputs: { default: out } });
    expect(await c.run(items())).toMatchObject({ ok: true, completed: 60, failed: 0 });
    expect(out.sort((a, b) => a - b)).toEqual(input);
    // A few batches of about 2 items: 2 in the worker, one waiting, one filling. Half the input is
    // room enough for a pace misread on a busy machine; all of it is read without sizing.
    expect(most).toBeLessThanOrEqual(30);
  });

  it('an item that failed on its own keeps its own failure beside one whose result cannot cross back', async () => {
    const out: unknown[] = [];
    const input: unknown[] = [1, { back: 'fn' }, { boom: true }, 2];
    const report = await new Consecutor(offload(fixture('unclonable'), { parallelism: 1, batch: 8 }), { mode: 'thread', outputs: { default: out } }).run(input);
    expect(report).toMatchObject({ ingested: 4, completed: 2, deadLettered: 2 });
    expect(report.failures.map((f) => f.error.message)).toEqual([
      expect.stringMatching(/^node "unclonable": a value item \{"back":"fn"\} pushed cannot be sent back from the worker: /),
      'node "unclonable" failed on item {"boom":true}: boom',
      expect.stringMatching(/^node "unclonable": a value end\(\) pushed cannot be sent back from the worker: /),
    ]);
    expect(out.filter((v) => typeof v === 'number').sort()).toEqual([1, 2, 7]);
  });

  it.each(modes)('awaits any thenable a process returns, as node() does inline (%s mode)', async (mode) => {
    const out: number[] = [];
    const report = await new Consecutor(offload<number, number>(fixture('thenable'), { parallelism: 1 }), { mode, outputs: { default: out } }).run([1, 2, 3]);
    expect(report).toMatchObject({ ok: true, completed: 3 });
    expect(out.sort((a, b) => a - b)).toEqual([3, 6, 9]);
  });

  it('checks its arguments when the pipeline is built', () => {
    expect(() => offload('', fixture('whoami'))).toThrow(/offload\(\): a node name must not be empty/);
    expect(() => offload('scorer', (() => 1) as never)).toThrow(/an inline closure cannot cross to a worker/);
    expect(() => offload(fixture('whoami'), 7 as never)).toThrow(/offload\(\): options must be an object, got number 7/);
    expect(() => offload('scorer', fixture('whoami'), { batch: 0 })).toThrow(/offload\(\): batch must be an integer >= 1, got number 0/);
    expect(() => offload(fixture('whoami'), { mode: 'worker' } as never)).toThrow(
      `offload(): mode must be one of 'sync', 'thread', 'process', got string "worker"`,
    );
    expect(() => offload(fixture('whoami'), { paralellism: 4 } as never)).toThrow(
      'unknown offload() option paralellism (4); known options: parallelism, batch, mode, maxRestarts',
    );
  });

  it('a module that is not a defineNode is a clear error; so is an inline closure', async () => {
    const c = new Consecutor(offload(fixture('not-a-node')), { mode: 'thread' });
    await expect(c.run([1])).rejects.toThrow(/default export of .*not-a-node.ts is not a node made with defineNode/);
    expect(() => offload((() => 1) as never)).toThrow(ConsecutionError);
    expect(() => offload((() => 1) as never)).toThrow(/an inline closure cannot cross to a worker/);
  });

  it('runs up to the spec\'s concurrency async items at once in a worker, results in input order', async () => {
    const out: number[] = [];
    const input = Array.from({ length: 40 }, (_, i) => i);
    const c = new Consecutor(offload<number, number>(fixture('parallel'), { parallelism: 1, batch: 8 }), { mode: 'thread', outputs: { default: out } });
    expect(await c.run(input)).toMatchObject({ ok: true, completed: 40 });
    expect(out.filter((x) => x >= 0)).toEqual(input.map((x) => x * 10));
    expect(out.filter((x) => x < 0)).toEqual([-4]);
  });

  it('fails an async item past the spec\'s timeoutMs with NODE_TIMEOUT and aborts its signal; the worker goes on', async () => {
    const out: number[] = [];
    const c = new Consecutor(offload<number, number>(fixture('stall'), { parallelism: 1, batch: 4 }), { mode: 'thread', outputs: { default: out } });
    const report = await c.run([1, 2, 3, 4, 5]);
    expect(report).toMatchObject({ completed: 4, deadLettered: 1 });
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({
      item: 3,
      node: 'stall',
      error: { code: 'NODE_TIMEOUT', message: 'node "stall" did not finish item 3 within timeoutMs=200' },
    });
    expect(out.sort((a, b) => a - b)).toEqual([-101, 1, 2, 4, 5]);
  });

  it('drops what an item that timed out pushes later: the next item\'s results stay its own', async () => {
    const out: number[] = [];
    const c = new Consecutor(offload<number, number>(fixture('stall'), { parallelism: 1, batch: 4 }), { mode: 'thread', outputs: { default: out } });
    const report = await c.run([5, 6, 7, 8]);
    expect(report).toMatchObject({ completed: 3, deadLettered: 1 });
    expect(report.failures.map((f) => [f.item, f.error.code])).toEqual([[6, 'NODE_TIMEOUT']]);
    expect(out.sort((a, b) => a - b)).toEqual([-100, 5, 7, 8]);
  });

  it('does not retry an error that says retrying cannot help, locally or by replay', async () => {
    const out: number[] = [];
    const deadLetter: { error: { code?: string } }[] = [];
    const c = new Consecutor(offload<number, number>(fixture('picky'), { parallelism: 1 }), {
      mode: 'process',
      guarantee: 'replay',
      retries: 3,
      outputs: { default: out, deadLetter },
    });
    const report = await c.run([4, 5, 6]);
    expect(report).toMatchObject({ completed: 2, deadLettered: 1, retried: 0 });
    expect(deadLetter[0]!.error.code).toBe('BAD_INPUT');
    // end() reports how often 5 was tried: once.
    expect(out.sort((a, b) => a - b)).toEqual([-1, 4, 6]);
  });

  it('checks a defineNode spec at once, like node()', () => {
    expect(() => defineNode({ name: 'x', concurrency: 0, process: (v: number) => v })).toThrow(
      'node "x": concurrency must be an integer >= 1, got number 0',
    );
    expect(() => defineNode({ name: 'x', timeoutMs: -5, process: (v: number) => v })).toThrow(ConsecutionError);
  });
});
