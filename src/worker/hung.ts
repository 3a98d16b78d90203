import type { Envelope } from '../envelope/envelope.js';
import { ConsecutionError, preview } from '../errors.js';
import { failAt } from '../stage/fail.js';
import type { NodeStats } from '../stage/stats.js';
import type { Batch } from './batch.js';
import { started } from './parking.js';
import { UNKNOWN } from './progress.js';
import type { Slot } from './slot.js';

/*
 * The hung-worker watch. On every tick of the run's clock, a worker that has been on a batch for
 * longer than the run's timeoutMs without answering is stuck (a loop that never returns; a call
 * that never settles is failed by the worker itself at its deadline, unless this comes first). It
 * is stopped and replaced like a worker that died, but only the item it was stuck on fails (see
 * blameHung). So is a worker that has not loaded its module (a top-level await that never
 * settles), or not finished end(), within timeoutMs: the run would never end. A batch's time is
 * measured on the run's coarse clock from when its items' clocks started, and the watch runs
 * before the acker's expiry in the same tick: it comes before their ACK_TIMEOUT.
 */

/** Where the items a hung worker held go again: the pool they came from. */
export interface Requeue {
  readonly stats: NodeStats;
  /** What the worker is called in messages (see workerKind). */
  readonly kind: string;
  /** Puts an item in flight into the open batch again. */
  add(env: Envelope<unknown>): void;
  /** Sends an item again alone, before the batches waiting: a suspect (one that hangs alone is the culprit). */
  suspect(env: Envelope<unknown>): void;
}

/**
 * Why a worker counts as hung at `now` (the run's coarse clock), or undefined while it does not.
 *
 * @example
 * ```ts
 * import { hung } from './hung.js';
 * import { Slot } from './slot.js';
 * const slot = new Slot();
 * hung(slot, Date.now(), 30_000); // undefined while it is quiet for less than 30 s
 * ```
 */
export function hung(slot: Slot, now: number, limit: number): string | undefined {
  const quiet = now - slot.progressAt;
  if (!slot.ready) return quiet > limit ? `the worker had not loaded its module after timeoutMs=${limit}, so it was stopped as hung` : undefined;
  if (slot.ending) return quiet > limit ? `the worker was stopped as hung after timeoutMs=${limit}` : undefined;
  const oldest = slot.inflight.peek();
  if (oldest === undefined || oldest.startedAt === 0 || now - oldest.startedAt <= limit) return undefined;
  return `the worker held a batch of ${oldest.size} item(s) for more than timeoutMs=${limit} without an answer, so it was stopped as hung`;
}

/**
 * A worker stopped as hung on the batch it was on: the item it was on fails alone, with
 * NODE_TIMEOUT; the others of that batch (done but not answered, or not started) and of the
 * batch it held next go to a worker again, no attempt lost, and the time the hang cost them is
 * given back to their clocks. When it cannot say which item (a process has no shared memory; a
 * node may run several at once), that batch's items go again one per batch, as suspects. Leaves
 * the slot holding nothing. For a loaded worker, not ending, that holds a batch
 * (`slot.ready && !slot.ending && slot.inflight.size > 0`).
 */
export function blameHung(slot: Slot, now: number, limit: number, to: Requeue): void {
  const [head, ...later] = slot.inflight.drain() as [Batch, ...Batch[]];
  const envs = head.envs.slice(0, head.size);
  const on = envs.length === 1 ? 0 : (slot.progress?.read(head.seq) ?? UNKNOWN);
  const lost = now - head.startedAt;
  for (let i = 0; i < envs.length; i++) {
    const env = envs[i]!;
    if (i === on) hungOn(to, env, limit);
    else {
      env.anchor.credit(lost, env.attempt);
      again(to, env, on === UNKNOWN || on >= envs.length);
    }
  }
  for (const b of later) {
    // Never started: they were waiting, and wait again.
    started(b);
    for (const env of b.envs.slice(0, b.size)) again(to, env, false);
  }
}

function hungOn(to: Requeue, env: Envelope<unknown>, limit: number): void {
  const { stats } = to;
  stats.inFlight--;
  const message = `node "${stats.name}" did not finish item ${preview(env.value)}: the ${to.kind} was stopped as hung on it after timeoutMs=${limit}`;
  failAt(stats, env, env.value, new ConsecutionError('NODE_TIMEOUT', message, { node: stats.name }));
}

/** An item a stopped worker held goes to a worker again (alone, when a suspect), unless it no longer counts. */
function again(to: Requeue, env: Envelope<unknown>, suspect: boolean): void {
  if (!env.anchor.live(env.attempt)) {
    to.stats.inFlight--;
    return;
  }
  if (suspect) to.suspect(env);
  else to.add(env);
}

/**
 * One tick's watch over a pool's workers: each worker hung on a batch, on loading its module, or
 * in end() for longer than `limit` is stopped; the item it was stuck on is blamed (see
 * {@link blameHung}) and `died` replaces the worker like one that died.
 *
 * @example
 * ```ts
 * import type { Slot } from './slot.js';
 * import { stopHung, type Requeue } from './hung.js';
 * declare const slots: Slot[];
 * declare const requeue: Requeue;
 * stopHung(slots, Date.now(), 30_000, requeue, (slot, why) => console.error(why));
 * ```
 */
export function stopHung(slots: readonly Slot[], now: number, limit: number, requeue: Requeue, died: (slot: Slot, why: string) => void): void {
  for (const slot of slots) {
    if (slot.channel === undefined) continue;
    const why = hung(slot, now, limit);
    if (why === undefined) continue;
    slot.stop();
    if (slot.ready && !slot.ending && slot.inflight.size > 0) blameHung(slot, now, limit, requeue);
    died(slot, why);
  }
}
