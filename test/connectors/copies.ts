// Copies of a pipeline as child processes, for the scale-out tests: each runs a fixture under tsx,
// its output collected; they stop on SIGTERM, printing a JSON summary as their last line.
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';

export interface Copy {
  readonly name: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the fixture `script` (a TypeScript file) with `args` as copy `name`. */
export function startCopy(name: string, script: string, args: readonly string[]): Copy {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const copy: Copy = {
    name,
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.on('data', (d: Buffer) => (copy.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (copy.stderr += d.toString()));
  return copy;
}

/** SIGTERMs the copies; each must exit 0, and its summary line (the last of its stdout) is returned. */
export async function stopCopies<S>(copies: readonly Copy[]): Promise<S[]> {
  for (const c of copies) c.child.kill('SIGTERM');
  const ends = await Promise.all(copies.map((c) => c.exited));
  for (const [i, end] of ends.entries()) expect(end, copies[i]!.stderr).toEqual({ code: 0, signal: null });
  return copies.map((c) => JSON.parse(c.stdout.trim().split('\n').pop()!) as S);
}

/** Kills with SIGKILL the copies still running (a test's cleanup). */
export function killCopies(copies: readonly Copy[]): void {
  for (const c of copies) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}
