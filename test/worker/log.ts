import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VirtualClock } from 'consecution/testing';
import type { NodeStats } from 'consecution';

/*
 * For tests whose offloaded workers really run while the run's clock is virtual: what the
 * fixtures' workers say they do (fixtures/log.ts), awaited as events, and a driver that moves the
 * virtual clock on only when a worker spins and nothing else is at work. Between those moments
 * virtual time stands still, so a worker that takes a second to load on a busy machine is never
 * mistaken for a hung one.
 */

// Set before any worker starts: threads and processes inherit the environment.
const dir = mkdtempSync(join(tmpdir(), 'consecution-worker-log-'));
process.env.CONSECUTION_TEST_LOG = dir;

/** One line of a fixture's log. */
export interface WorkerEvent {
  /** The worker: a thread id, or a process id. */
  readonly worker: number;
  readonly event: 'start' | 'spin' | 'ready';
  readonly item: number;
  readonly attempt: number;
}

/** The log of one fixture's workers of one kind, emptied when made (one per test). */
export class WorkerLog {
  private readonly file: string;

  constructor(fixture: string, kind: 'thread' | 'process') {
    this.file = join(dir, `${fixture}-${kind}.log`);
    rmSync(this.file, { force: true });
  }

  events(): WorkerEvent[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [worker, event, item, attempt] = line.split(' ');
        return { worker: Number(worker), event: event as WorkerEvent['event'], item: Number(item), attempt: Number(attempt) };
      });
  }

  /** The workers that have said they are ready (see fixtures/log.ts logReady). */
  ready(): Set<number> {
    return new Set(this.events().flatMap((e) => (e.event === 'ready' ? [e.worker] : [])));
  }

  /** The spins so far, in order. */
  spins(): WorkerEvent[] {
    return this.events().filter((e) => e.event === 'spin');
  }
}

/** Polls `done` until it holds; fails, naming `what`, if it has not after `boundMs` of real time (a generous bound: a hang, not a race). */
export async function waitFor(what: string, done: () => boolean, boundMs = 60_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`waited ${boundMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A few turns of the event loop: what a worker said before it logged something is taken in. */
export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Virtual time given for a restart: past any back-off (50 ms doubling, at most 5 deaths: 800 ms), short of any timeoutMs used with it. */
export const RESTART_MS = 1_000;

export interface HangDriver {
  readonly clock: VirtualClock;
  readonly log: WorkerLog;
  /** The offloaded node's counts now. */
  readonly stats: () => NodeStats | undefined;
  /** Whether nothing but the spinning worker is at work (a pool of several); always, by default. */
  readonly idle?: (spinner: WorkerEvent) => boolean;
  /** Whether to let the restart's back-off pass after a stop; after every stop, by default. */
  readonly restart?: () => boolean;
  /** Called after each stop, before the restart. */
  readonly stopped?: () => void;
  /** Virtual time a stop may take: the run's timeoutMs and more. */
  readonly limitMs: number;
}

/**
 * Awaits `run` while its workers spin: each time one says it spins, and nothing else is at work,
 * virtual time moves on until the pool stops that worker as hung, then past the restart's
 * back-off; the real work between is awaited with virtual time standing still.
 */
export async function runThroughHangs<T>(run: Promise<T>, d: HangDriver): Promise<T> {
  let finished = false;
  const end = () => (finished = true);
  run.then(end, end);
  const crashes = () => d.stats()?.crashes ?? 0;
  for (let seen = 0; ; seen++) {
    await waitFor('a worker to spin, or the run to end', () => finished || d.log.spins().length > seen);
    if (finished) return run;
    const spinner = d.log.spins()[seen]!;
    await turns(3);
    if (d.idle !== undefined) await waitFor('the other workers to be idle', () => d.idle!(spinner));
    const before = crashes();
    await d.clock.runUntil(() => crashes() > before, { limitMs: d.limitMs });
    d.stopped?.();
    if (d.restart?.() ?? true) d.clock.advance(RESTART_MS);
  }
}
