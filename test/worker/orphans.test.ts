import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('worker processes and the end of their program', () => {
  it('a worker process spinning in a loop does not outlive a program that exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-orphans-'));
    try {
      // The program starts a run whose offloaded node spins forever on item 12 in a child
      // process, waits until the worker says it spins, prints the worker's pid and exits.
      const script = `
        import { readFileSync, existsSync } from 'node:fs';
        import { Consecutor, offload } from 'consecution';
        const log = ${JSON.stringify(join(dir, 'spin-process.log'))};
        void new Consecutor(offload(${JSON.stringify(fixture('spin').href)}), { mode: 'process', timeoutMs: 2_000_000 }).run([12]);
        for (;;) {
          await new Promise((r) => setTimeout(r, 20));
          const line = existsSync(log) ? readFileSync(log, 'utf8').split('\\n').find((l) => l.includes(' spin ')) : undefined;
          if (line !== undefined) { console.log(line.split(' ')[0]); process.exit(0); }
        }
      `;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, CONSECUTION_TEST_LOG: dir },
      });
      const pid = Number(out.trim());
      expect(pid).toBeGreaterThan(0);
      // SIGKILL is sent as the program exits; the worker is gone once init has reaped it.
      for (let i = 0; i < 500 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      const still = alive(pid);
      if (still) process.kill(pid, 'SIGKILL');
      expect(still, `worker process ${pid} still running after its program exited`).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
