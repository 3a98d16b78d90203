import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectStoreEmpty } from './empty.js';

const job = new URL('./fixtures/job.mjs', import.meta.url).pathname;
const N = 20_000;

interface Ended {
  killed: boolean;
  stdout: string;
}

type Where = 'inline' | 'thread' | 'process';

/** Runs the job; kills it with SIGKILL `killAfterMs` after it started, unless undefined. */
function runJob(dir: string, where: Where, killAfterMs: number | undefined): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [job, join(dir, 'store'), join(dir, 'sink.txt'), join(dir, 'total.txt'), String(N), where], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterMs !== undefined && stdout.includes('started')) {
        setTimeout(() => {
          killed = child.kill('SIGKILL');
        }, killAfterMs);
        killAfterMs = undefined;
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, stdout });
      else if (code === 0) resolve({ killed: killed && false, stdout });
      else reject(new Error(`job exited with ${code}: ${stderr}`));
    });
  });
}

/** When to kill, after the job's first result; the offloaded node works twice as fast (two workers). */
const killWindow: Record<Where, [number, number]> = { inline: [20, 200], thread: [10, 100], process: [10, 100] };

describe('kill -9 at random moments', () => {
  it.each<Where>(['inline', 'thread', 'process'])('loses no item, counts the reduce exactly, and leaves the store empty (node %s)', async (where) => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-kill-'));
    const [from, to] = killWindow[where];
    let kills = 0;
    for (let i = 0; i < 30 && kills < 12; i++) {
      const ended = await runJob(dir, where, from + Math.floor(Math.random() * (to - from)));
      if (!ended.killed) break; // it finished before the kill: nothing left to kill
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    const last = await runJob(dir, where, undefined);
    expect(last.stdout).toContain('"done":true');
    expect(last.stdout).toContain('"ok":true');

    const seen = new Set(readFileSync(join(dir, 'sink.txt'), 'utf8').split('\n').filter(Boolean).map(Number));
    const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !seen.has(i));
    expect(missing).toEqual([]);
    expect(existsSync(join(dir, 'total.txt'))).toBe(true);
    expect(Number(readFileSync(join(dir, 'total.txt'), 'utf8'))).toBe((N * (N - 1)) / 2);

    await expectStoreEmpty(join(dir, 'store'));
  }, 120_000);
});
