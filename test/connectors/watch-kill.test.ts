// Kill -9 test (b) of issue 13: a child runs watchDirectory → readFile → writeFile → toFile on an
// LMDB store and is killed at random moments while files keep arriving; after a last, graceful run
// every file has reached the sinks, and no file was emitted again once journaled, nor read again
// once completed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from 'consecution';
import { tempDir, until } from './files-helpers.js';
import { expectStoreEmpty } from '../store/empty.js';

const job = new URL('./fixtures/watch-job.ts', import.meta.url).pathname;
const INITIAL = 150;
const PER_RUN = 15;

let tmp: ReturnType<typeof tempDir> | undefined;
afterEach(() => tmp?.remove());

interface Child {
  /** Resolves at exit: killed or not, and what it printed. */
  readonly exited: Promise<{ killed: boolean; stdout: string; code: number | null }>;
  readonly started: Promise<void>;
  /** Resolves once the job handles SIGTERM (a graceful stop). */
  readonly ready: Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function runJob(dir: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', job, join(dir, 'store'), join(dir, 'in'), join(dir, 'out'), join(dir, 'sink.txt'), join(dir, 'log.txt')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let start: () => void = () => {};
  const started = new Promise<void>((r) => (start = r));
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('ready')) ready();
    if (stdout.includes('started')) start();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ killed: boolean; stdout: string; code: number | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      start();
      ready();
      if (signal === 'SIGKILL') resolve({ killed: true, stdout, code });
      else if (code === 0) resolve({ killed: false, stdout, code });
      else reject(new Error(`job exited with ${code} (${signal}): ${stderr}`));
    });
  });
  return { exited, started, ready: isReady, kill: (s) => child.kill(s) };
}

let written = 0;
function addFiles(inDir: string, n: number): void {
  for (let i = 0; i < n; i++, written++) writeFileSync(join(inDir, `f${String(written).padStart(4, '0')}.txt`), `file ${written}\n`);
}

interface Event {
  readonly kind: string;
  readonly seq: number;
  readonly path: string | undefined;
}

function events(logFile: string): Event[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [kind, a, b] = line.split(' ') as [string, string, string?];
      return kind === 'read' || kind === 'start' ? { kind, seq: -1, path: a } : { kind, seq: Number(a), path: b };
    });
}

describe('watchDirectory kill -9', () => {
  it('every file reaches the sinks; none is emitted again once journaled, nor read again once completed', async () => {
    tmp = tempDir('consecution-watch-kill-');
    const dir = tmp.dir;
    const [inDir, outDir] = [join(dir, 'in'), join(dir, 'out')];
    mkdirSync(inDir);
    mkdirSync(outDir);
    addFiles(inDir, INITIAL);
    let kills = 0;
    for (let i = 0; i < 6; i++) {
      addFiles(inDir, PER_RUN); // so that this run has files to emit, however fast the last one was
      const child = runJob(dir);
      await child.started;
      addFiles(inDir, PER_RUN); // while it runs: live events, not only the initial scan
      await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 300)));
      child.kill('SIGKILL');
      if ((await child.exited).killed) kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(5);

    // What the kills left in the journal: the last run replays it first.
    const before = openStore(join(dir, 'store'));
    const leftInJournal = new Set(before.pending().map((e) => e.position as number));
    await before.close();
    const last = runJob(dir);
    // Every file may have completed in the runs before: wait until this run has begun (it logged
    // its start) and can stop gracefully; then until it replayed what the kills left.
    await last.ready;
    const names = readdirSync(inDir).filter((f) => f.endsWith('.txt'));
    expect(names).toHaveLength(INITIAL + 12 * PER_RUN);
    const logFile = join(dir, 'log.txt');
    const pathOfSeq = () => new Map(events(logFile).filter((e) => e.kind === 'emit').map((e) => [e.seq, e.path!]));
    await until(() => {
      const paths = pathOfSeq();
      const done = new Set(events(logFile).filter((e) => e.kind === 'done').map((e) => paths.get(e.seq)));
      const all = events(logFile);
      const lastStart = all.map((e) => e.kind).lastIndexOf('start');
      const replayed = new Set(all.slice(lastStart).filter((e) => e.kind === 'done').map((e) => e.seq));
      return names.every((n) => done.has(join(inDir, n))) && [...leftInJournal].every((seq) => replayed.has(seq));
    }, 'every file completed, and the journal replayed', 90_000);
    last.kill('SIGTERM');
    const ended = await last.exited;
    expect(ended.stdout).toContain('"ok":true');

    // Every file reached both sinks, upper-cased; the toFile sink holds whole lines only.
    const sinkLines = readFileSync(join(dir, 'sink.txt'), 'utf8').split('\n').filter(Boolean);
    const expected = new Set(names.map((n) => join(outDir, n)));
    expect(sinkLines.filter((l) => !expected.has(l))).toEqual([]);
    const sink = new Set(sinkLines);
    for (const n of names) {
      expect(readFileSync(join(outDir, n), 'utf8')).toBe(readFileSync(join(inDir, n), 'utf8').toUpperCase());
      expect(sink.has(join(outDir, n))).toBe(true);
    }
    expect(readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Once journaled (admitted) a file is not emitted again; once completed it is not read again,
    // except by a replay right after a kill: the journal forgets a completed item in its next
    // transaction, and a kill before that commit replays it once more (at-least-once).
    const paths = pathOfSeq();
    const journaled = new Set<string>();
    const completed = new Map<string, number>();
    let run = 0;
    let replayedOnceMore = 0;
    for (const e of events(logFile)) {
      if (e.kind === 'start') {
        run++;
        continue;
      }
      const path = e.kind === 'read' ? e.path! : paths.get(e.seq)!;
      if (e.kind === 'emit') {
        expect(journaled.has(path), `${path} emitted again after it was journaled`).toBe(false);
        expect(completed.has(path), `${path} emitted again after it completed`).toBe(false);
      } else if (e.kind === 'admitted') journaled.add(path);
      else if (e.kind === 'done') completed.set(path, run);
      else if (e.kind === 'read' && completed.has(path)) {
        expect(completed.get(path), `${path} read again after it completed, in the same run`).toBeLessThan(run);
        completed.set(path, run);
        replayedOnceMore++;
      }
    }
    expect(events(logFile).some((e) => e.kind === 'dead')).toBe(false);
    // At most the items in flight at each kill (maxPending 50).
    expect(replayedOnceMore).toBeLessThanOrEqual(kills * 50);
    console.log(`kills: ${kills}; files: ${names.length}; completed items replayed once more after a kill: ${replayedOnceMore}`);

    await expectStoreEmpty(join(dir, 'store'));
    expect(existsSync(join(dir, 'sink.txt'))).toBe(true);
  }, 240_000);
});
