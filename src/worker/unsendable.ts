import type { Mode } from '../consecutor/options.js';
import type { Envelope } from '../envelope/envelope.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { failAt } from '../stage/fail.js';
import type { NodeStats } from '../stage/stats.js';
import type { Batch } from './batch.js';
import { crosses } from './clone.js';
import { started } from './parking.js';
import { workerKind } from './slot.js';

/**
 * A batch could not be sent: some value of it cannot be cloned (a function, a class instance
 * with private state...). Those items fail with BAD_INPUT, naming the node and the item, not
 * retryable; the others go to `add` to be sent again. If no item alone is the cause, the whole
 * batch fails, retryable (another time, in another batch, it may go). The batch is left empty.
 *
 * @example
 * ```ts
 * import type { Envelope } from '../envelope/envelope.js';
 * import type { NodeStats } from '../stage/stats.js';
 * import type { Batch } from './batch.js';
 * import type { Slot } from './slot.js';
 * import { unsendable } from './unsendable.js';
 * declare const slot: Slot; // up: its channel is set
 * declare const batch: Batch;
 * declare const stats: NodeStats;
 * declare const pool: { add(env: Envelope<unknown>): void };
 * try {
 *   slot.channel!.next(batch.message());
 * } catch (e) {
 *   unsendable(batch, e, 'thread', stats, (env) => pool.add(env));
 * }
 * ```
 */
export function unsendable(batch: Batch, e: unknown, mode: Mode, stats: NodeStats, add: (env: Envelope<unknown>) => void): void {
  started(batch);
  const envs = batch.envs.slice(0, batch.size);
  batch.clear();
  const kind = workerKind(mode);
  const bad = envs.filter((env) => !crosses(mode, env.value));
  if (bad.length === 0) {
    for (const env of envs) unsent(stats, env, `could not be sent to a ${kind} in a batch of ${envs.length}`, e, true);
  } else {
    for (const env of bad) unsent(stats, env, `cannot be sent to a ${kind}`, e, false);
    for (const env of envs) if (!bad.includes(env)) add(env);
  }
}

function unsent(stats: NodeStats, env: Envelope<unknown>, what: string, e: unknown, retryable: boolean): void {
  stats.inFlight--;
  const error = new ConsecutionError('BAD_INPUT', `node "${stats.name}": item ${preview(env.value)} ${what}: ${messageOf(e)}`, {
    node: stats.name,
    cause: e,
    retryable,
  });
  failAt(stats, env, env.value, error);
}
