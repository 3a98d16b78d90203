import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consecutor, map } from 'consecution';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });

describe('consecution inspect / redrive', () => {
  it('shows dead letters, moves them back, and the next run replays them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-cli-'));
    let fixed = false;
    const pipeline = map('check', (x: number) => {
      if (x === 2 && !fixed) throw new Error('two is not ready');
      return x;
    });
    await new Consecutor(pipeline, { guarantee: 'replay', retries: 0, store: { path: dir } }).run([1, 2, 3]);

    const human = cli('inspect', dir);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('dead letters    1');
    expect(human.stdout).toContain('at node "check" after 1 attempt(s): node "check" failed on item 2: two is not ready');

    const json = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', main, 'inspect', dir, '--json'], { encoding: 'utf8' })) as {
      pending: number;
      deadLetters: { item: number }[];
    };
    expect(json).toMatchObject({ pending: 0, deadLetters: [{ item: 2 }] });

    expect(JSON.parse(cli('redrive', dir, '--json').stdout)).toEqual({ path: dir, redriven: 1 });
    fixed = true;
    const out: number[] = [];
    const report = await new Consecutor(pipeline, { guarantee: 'replay', store: { path: dir }, outputs: { default: out } }).run([1, 2, 3]);
    expect(out).toEqual([2]); // the redriven item; the source resumes after its last position
    expect(report.ok).toBe(true);
    expect(JSON.parse(cli('inspect', dir, '--json').stdout)).toMatchObject({ pending: 0, deadLetters: [] });
  });

  it('says what is wrong with a bad store and exits non-zero', () => {
    const r = cli('inspect', '/sys/consecution-nowhere');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('consecution: cannot open store /sys/consecution-nowhere');
  });
});
