// kill -9 of a durable fromInterval job at random moments, in a child process: every tick reaches
// the sink, and a tick that reached it twice (at-least-once) is the same tick both times.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from 'consecution';

const job = new URL('./fixtures/tick-job.ts', import.meta.url).pathname;
const COUNT = 300;
const EVERY_MS = 5;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the job; SIGKILLs it `killAfterMs` after it said it started, unless undefined. Whether it was killed, and its output. */
function runJob(dir: string, killAfterMs: number | undefined): Promise<{ killed: boolean; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, join(dir, 'store'), join(dir, 'sink.txt')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterMs !== undefined && stdout.includes('started')) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killAfterMs = undefined;
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
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
    for (let i = 0; i < 20 && kills < 6; i++) {
      const ended = await runJob(dir, 20 + Math.floor(Math.random() * 300));
      if (!ended.killed) break; // it finished before the kill
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
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

    const store = openStore(join(dir, 'store'));
    try {
      expect(store.stats()).toMatchObject({ pending: 0, deadLetters: 0 });
    } finally {
      await store.close();
    }
  }, 180_000);
});
