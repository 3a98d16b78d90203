import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { pipe } from 'rxjs';
import { Consecutor, map, merge, node, output, type OutputStream } from 'consecution';

// A defect here shows as a promise that never settles: the explicit timeouts make such a test
// fail soon instead of at the suite's 30 s; a passing test settles at once.
const HANG = { timeout: 10_000 };

describe('a call that fails changes nothing', () => {
  it('a second up() throws RUN_ACTIVE, and the first run is still fed and ended by push() / down()', HANG, async () => {
    const out: number[] = [];
    const c = new Consecutor(output('out'), { outputs: { out } });
    c.up();
    expect(() => c.up()).toThrow(expect.objectContaining({ code: 'RUN_ACTIVE' }));
    await c.push(1);
    expect(await c.down()).toMatchObject({ ok: true, completed: 1 });
    expect(out).toEqual([1]);
  });

  it('up() during run() throws RUN_ACTIVE and leaves push() / down() refusing', HANG, async () => {
    const c = new Consecutor(map((x: number) => x), {});
    const run = c.run([1, 2]);
    expect(() => c.up()).toThrow(expect.objectContaining({ code: 'RUN_ACTIVE' }));
    await expect(c.push(3)).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    await expect(c.down()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    expect(await run).toMatchObject({ ok: true, completed: 2 });
  });

  it('run() during up() rejects with RUN_ACTIVE and the pushed run goes on', HANG, async () => {
    const out: number[] = [];
    const c = new Consecutor(output('out'), { outputs: { out } });
    c.up();
    await expect(c.run([9])).rejects.toMatchObject({ code: 'RUN_ACTIVE' });
    await c.push(1);
    expect(await c.down()).toMatchObject({ ok: true, completed: 1 });
    await expect(c.down()).rejects.toMatchObject({ code: 'NOT_RUNNING' });
    expect(out).toEqual([1]);
  });

  it('down() of a pushed run that has failed meanwhile rejects with the run’s error', HANG, async () => {
    const c = new Consecutor(pipe(map((x: number) => x), output('nowhere')), {});
    c.up();
    await new Promise((resolve) => setImmediate(resolve));
    expect(c.metrics().running).toBe(false);
    await expect(c.down()).rejects.toMatchObject({ code: 'OUTPUT_UNKNOWN' });
  });
});

/** Everything a stream gives until it ends; rejects with what it errors with. */
async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const got: T[] = [];
  for await (const v of stream) got.push(v);
  return got;
}

async function* failingAfter(...values: number[]): AsyncGenerator<number> {
  yield* values;
  throw new Error('disk gone');
}

describe('c.output(name) asked for right after run()', () => {
  it('is that run’s output', HANG, async () => {
    const c = new Consecutor(pipe(map((x: number) => x * 2), output('rows')), {});
    const done = c.run([1, 2, 3]);
    expect(await drain(c.output<number>('rows'))).toEqual([2, 4, 6]);
    expect(await done).toMatchObject({ ok: true, completed: 3 });
  });

  it('feeds another consecutor whatever the order of the calls', HANG, async () => {
    const a = new Consecutor(pipe(map((x: number) => x * 2), output('rows')), {});
    const got: number[] = [];
    const b = new Consecutor(output('got'), { outputs: { got } });
    const [ra, rb] = await Promise.all([a.run([1, 2, 3]), b.run(merge(a.output<number>('rows')))]);
    expect(ra.ok && rb.ok).toBe(true);
    expect(got).toEqual([2, 4, 6]);
  });

  it('asked for after a run ended, even before its promise settled, is the next run’s', HANG, async () => {
    const c = new Consecutor(output('rows'), {});
    let next: OutputStream<number> | undefined;
    c.output('rows').subscribe({ complete: () => (next = c.output<number>('rows')) });
    await c.run([1]);
    const second = c.run([2]);
    expect(await drain(next!)).toEqual([2]);
    expect(await second).toMatchObject({ ok: true, completed: 1 });
  });
});

describe('the streams of a run that fails', () => {
  it('throw the run’s error in a for await, after the values written before it', HANG, async () => {
    const c = new Consecutor(output('rows'), {});
    const done = c.run(failingAfter(1, 2));
    const rows = drain(c.output<number>('rows'));
    await expect(done).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
    await expect(rows).rejects.toThrow('source "async iterable" failed: disk gone');
  });

  it('error their observers, and a late subscriber gets what was held, then the error', HANG, async () => {
    const c = new Consecutor(output('rows'), {});
    const errors: unknown[] = [];
    c.output('default').subscribe({ error: (e: unknown) => errors.push(e) });
    const late = c.output<number>('rows');
    await expect(c.run(failingAfter(1, 2))).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
    expect(errors).toMatchObject([{ code: 'SOURCE_FAILED' }]);
    const seen: number[] = [];
    const error = await new Promise((resolve) => late.subscribe({ next: (v) => seen.push(v), error: resolve }));
    expect(seen).toEqual([1, 2]);
    expect(error).toMatchObject({ code: 'SOURCE_FAILED' });
  });
});

describe('c.output(name) of an output the pipeline does not write', () => {
  it('errors with OUTPUT_UNKNOWN when the run starts, if no node could ctx.write() it', HANG, async () => {
    const rows: number[] = [];
    const c = new Consecutor(pipe(map((x: number) => x), output('rows')), { outputs: { rows } });
    c.up();
    const typo = c.output('row');
    await expect(drain(typo)).rejects.toThrow(
      `c.output('row'): the pipeline writes no output "row" (no output() stage names it); it writes default, deadLetter, rows: did you mean "rows"?`,
    );
    // Asked for while the run goes on: at once too.
    await expect(drain(c.output('elsewhere'))).rejects.toMatchObject({ code: 'OUTPUT_UNKNOWN' });
    const ends = drain(c.output('default'));
    await c.push(1);
    expect(await c.down()).toMatchObject({ ok: true, completed: 1 });
    expect(await ends).toEqual([]);
    expect(rows).toEqual([1]);
  });

  it('errors at the run’s end if no node wrote to it; what a node wrote to is streamed', HANG, async () => {
    const evens = node('evens', {
      process(x: number, ctx) {
        if (x % 2 === 0) ctx.write('evens', x);
        return x;
      },
    });
    const c = new Consecutor(evens, {});
    const done = c.run([1, 2, 3, 4]);
    const written = drain(c.output<number>('evens'));
    const never = drain(c.output('odds'));
    expect(await drain(c.output<number>('default'))).toEqual([1, 2, 3, 4]);
    expect(await written).toEqual([2, 4]);
    await expect(never).rejects.toThrow(/c\.output\('odds'\): the pipeline writes no output "odds" \(no output\(\) stage names it and no node wrote to it with ctx\.write\(\)\); it writes default, deadLetter, evens/);
    expect(await done).toMatchObject({ ok: true, completed: 4 });
  });
});

const unawaited = new URL('./fixtures/unawaited.ts', import.meta.url).pathname;

/** Runs fixtures/unawaited.ts in a child process: its exit code and what it printed. */
function runFixture(how: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', unawaited, how], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the promise a run hands out is the caller’s own', () => {
  it('a failed run() nobody awaits is reported by Node as an unhandled rejection', async () => {
    const ended = await runFixture('run');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('source "async iterable" failed: disk gone');
  });

  it('so is a failed down() nobody awaits', async () => {
    const ended = await runFixture('down');
    expect(ended.code).toBe(1);
    expect(ended.stderr).toContain('OUTPUT_UNKNOWN');
  });

  it('a handled rejection is not reported', async () => {
    expect(await runFixture('caught')).toMatchObject({ code: 0, stdout: 'caught\n', stderr: '' });
  });
});
