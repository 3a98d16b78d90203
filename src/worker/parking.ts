import type { Batch } from './batch.js';

/**
 * A worker starts on `batch`: its items stop waiting, their timeoutMs clocks run again (see
 * Anchor.park; an item is parked from when it joins a batch).
 *
 * @example
 * ```ts
 * import type { Envelope } from '../envelope/envelope.js';
 * import type { Batch } from './batch.js';
 * import { started } from './parking.js';
 * declare const env: Envelope<unknown>;
 * declare const batch: Batch;
 * env.anchor.park(env.attempt);
 * batch.add(env);
 * // ... the worker, loaded, starts on the batch:
 * started(batch);
 * ```
 */
export function started(batch: Batch): void {
  const { envs } = batch;
  for (let i = 0; i < batch.size; i++) envs[i]!.anchor.unpark(envs[i]!.attempt);
}
