// The harness's isolated mode: each variant of a scenario in its own process, the rounds still
// interleaved by the parent. In one process, the variants share the JIT's type feedback: the
// library's per-item code sees the anchors and shapes of every guarantee level, and what one
// variant's compile learned the next one pays for (JMH forks a JVM per benchmark for this reason,
// "profile pollution"). A program runs one guarantee level per pipeline, as the child does.
import { fork, type ChildProcess } from 'node:child_process';
import type { Variant } from './harness.js';

/** What the child sends: once ready, then one answer per run. */
export type ChildAnswer = { readonly ready: true } | { readonly result: number; readonly ms: number } | { readonly error: string };

/** A variant run in a child process of its own (see variant-child.ts), started at its first run. */
export class IsolatedVariant {
  readonly name: string;
  private child: Promise<ChildProcess> | undefined;

  constructor(
    private readonly scenario: string,
    variant: Variant,
  ) {
    this.name = variant.name;
  }

  /** Runs it once in the child: its result and the time the child measured (no IPC in it). */
  async measure(): Promise<{ result: number; ms: number }> {
    const child = await (this.child ??= this.start());
    const answer = await next(child);
    if ('error' in answer) throw new Error(`${this.scenario} ${this.name} (isolated): ${answer.error}`);
    if (!('ms' in answer)) throw new Error(`${this.scenario} ${this.name} (isolated): unexpected answer ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Ends the child. */
  async close(): Promise<void> {
    const child = await this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send('exit');
    await exited;
  }

  private async start(): Promise<ChildProcess> {
    const child = fork(new URL('./variant-child.js', import.meta.url), [this.scenario, this.name], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await next(child, false);
    if (!('ready' in ready)) throw new Error(`${this.scenario} ${this.name} (isolated): the child did not start`);
    return child;
  }
}

/** The child's next answer; asks for a run first unless `ask` is false. */
function next(child: ChildProcess, ask = true): Promise<ChildAnswer> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the benchmark child exited with ${code} before it answered`));
    child.once('exit', onExit);
    child.once('message', (m: ChildAnswer) => {
      child.off('exit', onExit);
      resolve(m);
    });
    if (ask) child.send('run');
  });
}
