import { describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Consecutor, fromFile, map } from 'consecution';

import { bin as main } from './bin.js';
const cli = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
/** The CLI without blocking this process: a run in it goes on meanwhile. */
const cliAsync = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [main, ...args], { encoding: 'utf8' });
    return { status: 0, stdout, stderr };
  } catch (e) {
    const { code, stdout, stderr } = e as { code: number; stdout: string; stderr: string };
    return { status: code, stdout, stderr };
  }
};
import { badLineRun } from '../store/fixtures/bad-line.js';
import { layout1Message, writeLayout1Store } from '../store/fixtures/layout-1.js';

const temp = () => mkdtempSync(join(tmpdir(), 'consecution-cli-'));

describe('consecution inspect / redrive', () => {
  it('shows dead letters, moves them back, and the next run replays them', async () => {
    const dir = temp();
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

    expect(JSON.parse(cli('redrive', dir, '--json').stdout)).toEqual({ path: dir, redriven: 1, skipped: 0 });
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

  it('says that a store does not exist, exits 1, and creates nothing', () => {
    const dir = join(temp(), 'does-not-exist');
    for (const command of ['inspect', 'redrive']) {
      const r = cli(command, dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`consecution: cannot open store ${dir}: it does not exist`);
      expect(existsSync(dir)).toBe(false);
    }
    // A directory without a store in it is not one either.
    const empty = join(temp(), 'empty');
    mkdirSync(empty);
    for (const command of ['inspect', 'redrive']) {
      const r = cli(command, empty);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`consecution: cannot open store ${empty}: it holds no data.mdb`);
      expect(readdirSync(empty)).toEqual([]);
    }
  });

  it('inspects a store read-only: no lock taken, no file created, a foreign data file refused', async () => {
    const dir = temp();
    await new Consecutor(map((x: number) => x), { store: { path: dir } }).run([1, 2]);
    const before = readdirSync(dir).sort();
    const r = cli('inspect', dir, '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ pending: 0, deadLetters: [], position: 1, heldBy: null });
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(before).not.toContain('consecution.lock');

    const foreign = join(temp(), 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'data.mdb'), 'this is not an LMDB file at all, just text '.repeat(200));
    const f = cli('inspect', foreign);
    expect(f.status).toBe(1);
    expect(f.stderr).toContain(`consecution: cannot open store ${foreign}: data.mdb is corrupted or not an LMDB file`);
    expect(readdirSync(foreign)).toEqual(['data.mdb']);
  });

  it('inspects a store a live run holds, says it is live; redrive refuses it with exit 3', async () => {
    const dir = temp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* held() {
      yield 1;
      yield 2;
      await gate; // the run holds the store open until the test lets it end
    }
    const pipeline = map('check', (x: number) => {
      if (x === 2) throw new Error('two is not ready');
      return x;
    });
    const run = new Consecutor(pipeline, { guarantee: 'replay', retries: 0, store: { path: dir } }).run(held());
    try {
      // The dead letter reaches the disk while the run goes on; look until it is there (generous bound).
      let seen: { status: number; stdout: string } | undefined;
      for (let i = 0; i < 200; i++) {
        seen = await cliAsync('inspect', dir, '--json');
        if (seen.status !== 0 || (JSON.parse(seen.stdout) as { deadLetters: unknown[] }).deadLetters.length > 0) break;
      }
      expect(seen!.status).toBe(0);
      expect(JSON.parse(seen!.stdout)).toMatchObject({ deadLetters: [{ item: 2, node: 'check' }], heldBy: process.pid });

      const human = await cliAsync('inspect', dir);
      expect(human.status).toBe(0);
      expect(human.stdout).toContain(`live: held by process ${process.pid}; the numbers may change while it runs`);
      expect(human.stdout).toContain('dead letters    1');

      const redrive = await cliAsync('redrive', dir);
      expect(redrive.status).toBe(3);
      expect(redrive.stderr).toContain(`consecution: cannot redrive store ${dir}: it is in use by process ${process.pid}`);
    } finally {
      release();
    }
    expect(await run).toMatchObject({ completed: 1, deadLettered: 1 });
    expect(JSON.parse(cli('redrive', dir, '--json').stdout)).toMatchObject({ redriven: 1 });
  });

  it('skips a bad-input dead letter and says so; --include-bad-input sends it through the parsing again, where it fails again', async () => {
    const { file, store, seen: typed, pipeline } = await badLineRun(temp(), 'events.ndjson');
    expect(JSON.parse(cli('inspect', store, '--json').stdout)).toMatchObject({ deadLetters: [{ item: 'not json', error: { code: 'BAD_INPUT' } }] });

    const human = cli('redrive', store);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain(
      "0 dead letter(s) of " + store + " moved back to pending; skipped 1 bad-input record(s): raw input that failed its source's parsing; --include-bad-input sends them through the source's parsing again",
    );
    expect(JSON.parse(cli('redrive', store, '--json').stdout)).toEqual({ path: store, redriven: 0, skipped: 1 });
    expect(JSON.parse(cli('inspect', store, '--json').stdout)).toMatchObject({ pending: 0 });

    expect(JSON.parse(cli('redrive', store, '--include-bad-input', '--json').stdout)).toEqual({ path: store, redriven: 1, skipped: 0 });
    expect(JSON.parse(cli('inspect', store, '--json').stdout)).toMatchObject({ pending: 1, deadLetters: [] });

    typed.length = 0;
    const next = await new Consecutor(pipeline, { guarantee: 'replay', store: { path: store } }).run(fromFile(file, { format: 'ndjson' }));
    expect(typed).toEqual([]); // the raw line never reached the typed pipeline
    expect(next).toMatchObject({ ingested: 1, completed: 0, deadLettered: 1, failures: [{ item: 'not json', node: 'events.ndjson', error: { code: 'BAD_INPUT' } }] });
    expect(JSON.parse(cli('inspect', store, '--json').stdout)).toMatchObject({ pending: 0, deadLetters: [{ item: 'not json', error: { code: 'BAD_INPUT' } }] });
  });

  it('refuses a store in the old layout, naming its version and the way out; migrate converts it, once', async () => {
    const dir = temp();
    await writeLayout1Store(dir);
    for (const command of ['inspect', 'redrive']) {
      const r = cli(command, dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`consecution: ${layout1Message(dir)}`);
    }
    // A run of the old version holds it (its lock file names a live process): migrate refuses, exit 3.
    writeFileSync(join(dir, 'consecution.lock'), String(process.pid));
    const busy = cli('migrate', dir);
    expect(busy.status).toBe(3);
    expect(busy.stderr).toContain(`consecution: cannot migrate store ${dir}: it is in use by process ${process.pid}, and migrate writes to it`);
    rmSync(join(dir, 'consecution.lock'));

    const m = cli('migrate', dir);
    expect(m.status).toBe(0);
    expect(m.stdout).toContain(`store ${dir} converted from layout 1 to layout 2 (9 record(s) moved)`);
    expect(JSON.parse(cli('migrate', dir, '--json').stdout)).toEqual({ path: dir, from: 2, to: 2, moved: 0 });
    expect(JSON.parse(cli('inspect', dir, '--json').stdout)).toMatchObject({
      pending: 2,
      deadLetters: [{ item: 2, node: 'picky', attempts: 2 }],
      failures: 2,
      checkpoints: 1,
      position: 4,
      heldBy: null,
    });
    const missing = cli('migrate', join(dir, 'nowhere'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`consecution: cannot open store ${join(dir, 'nowhere')}: it does not exist`);
  });
});
