import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { pipe } from 'rxjs';
import { Consecutor, map, output } from 'consecution';

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
