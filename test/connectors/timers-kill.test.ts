// kill -9 of a durable fromInterval job at random moments, in a child process: every tick reaches
// the sink, and a tick that reached it twice (at-least-once) is the same tick both times.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectStoreEmpty } from '../store/empty.js';

const job = new URL('./fixtures/tick-job.ts', import.meta.url).pathname;
const COUNT = 300;
const EVERY_MS = 5;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Ticks in the sink so far (with duplicates). */
function sinkLines(dir: string): number {
  const file = join(dir, 'sink.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

/**
 * Runs the job; SIGKILLs it once the sink holds `killAt` lines, unless undefined (driven by
 * progress, not time: a slow machine kills as often as a fast one). Whether it was killed, and
 * its output.
 */
function runJob(dir: string, killAt: number | undefined): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, join(dir, 'store'), join(dir, 'sink.txt')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const watch =
      killAt === undefined
        ? undefined
        : setInterval(() => {
            if (sinkLines(dir) >= killAt) child.kill('SIGKILL');
          }, 5);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearInterval(watch);
      if (signal === 'SIGKILL') resolve({ killed: true, stdout });
      else if (code === 0) resolve({ killed: false, stdout });
      else reject(new Error(`tick job exited with ${code}: ${stderr}`));
    });
  });
}

describe('timers under kill -9', () => {
  it('every tick reaches the sink once at least, each n always with the same time, on one grid; the store ends empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-tick-kill-'));
    dirs.push(dir);
    let kills = 0;
    // Six kills, each after 1 to 40 more ticks reached the sink, all well before the last tick.
    for (let i = 0; i < 6; i++) {
      const ended = await runJob(dir, sinkLines(dir) + 1 + Math.floor(Math.random() * 40));
      if (!ended.killed) break; // it finished before the kill: cannot be with 6 x 40 < COUNT
      kills++;
    }
    expect(kills).toBe(6);
    const last = await runJob(dir, undefined);
    expect(last.stdout).toContain('"done":true');
    expect(last.stdout).toContain('"ok":true');

    const lines = readFileSync(join(dir, 'sink.txt'), 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ').map(Number) as [number, number]);
    const atOf = new Map<number, number>();
    for (const [n, at] of lines) {
      expect(atOf.get(n) ?? at, `tick ${n} fired with two times`).toBe(at);
      atOf.set(n, at);
    }
    expect([...atOf.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: COUNT }, (_, n) => n));
    const first = atOf.get(0)!;
    expect([...atOf].filter(([n, at]) => at !== first + n * EVERY_MS)).toEqual([]);

    await expectStoreEmpty(join(dir, 'store'));
  }, 180_000);
});
