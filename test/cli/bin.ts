import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** The CLI as `npx consecution` runs it: the built bin of package.json. */
export const bin = `${root}dist/src/cli/main.js`;

/** Fails at once when dist is older than src (the tests would test yesterday's CLI): run `npm run build`. */
export function assertBuilt(): void {
  const built = statSync(bin, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) throw new Error(`${bin} is missing: run npm run build (npm test does)`);
  for (const f of readdirSync(`${root}src`, { recursive: true, encoding: 'utf8' })) {
    if (f.endsWith('.ts') && statSync(`${root}src/${f}`).mtimeMs > built + 1000) throw new Error(`dist is older than src/${f}: run npm run build (npm test does)`);
  }
}

/** What a finished command printed, and how it ended. */
export interface Ran {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end, as a user types it. */
export function cli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Ran {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: options.cwd, env: { ...process.env, ...options.env }, input: options.input, timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A running command: its output so far, a wait for a line of it, and its end. */
export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout or stderr contains `text` (rejects after `ms`, naming what was printed). */
  waitFor(text: string, ms?: number): Promise<void>;
  ended: Promise<Ran>;
}

/** Starts `node <script> ...args` (the CLI by default) without waiting for it. */
export function start(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; script?: string } = {}): Running {
  const child = spawn(process.execPath, [options.script ?? bin, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  const changed = () => waiters.splice(0).forEach((w) => w());
  child.stdout.on('data', (d: Buffer) => ((out += d.toString()), changed()));
  child.stderr.on('data', (d: Buffer) => ((err += d.toString()), changed()));
  const ended = new Promise<Ran>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout: out, stderr: err })));
  let done = false;
  void ended.then(() => ((done = true), changed()));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    ended,
    waitFor: (text, ms = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not printed within ${ms} ms: ${JSON.stringify(text)}\nstdout: ${out}\nstderr: ${err}`)), ms);
        const check = () => {
          if (out.includes(text) || err.includes(text)) return clearTimeout(timer), resolve();
          if (done) return clearTimeout(timer), reject(new Error(`ended without printing ${JSON.stringify(text)}\nstdout: ${out}\nstderr: ${err}`));
          waiters.push(check);
        };
        check();
      }),
  };
}
