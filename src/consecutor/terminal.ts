import type { Envelope } from '../envelope/envelope.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import type { OutputSet } from '../outputs/set.js';
import { isPromiseLike } from '../stage/promise.js';
import type { Writes } from './writes.js';

/**
 * The end of the pipeline: values that leave it are written to the `default` output (if any) and
 * acked, once the output confirms the write when it returns a promise (kept in `writes` meanwhile).
 *
 * @example
 * ```ts
 * out.subscribe({ next: terminalOf(channels, writes) });
 * ```
 */
export function terminalOf(channels: OutputSet, writes: Writes): (env: Envelope<unknown>) => void {
  const ch = channels.get('default');
  const out = ch?.requested === true ? ch : undefined;
  return (env) => {
    if (out === undefined) {
      env.anchor.ackEdge(env.hi, env.lo, env.attempt);
      return;
    }
    let confirm: unknown;
    try {
      confirm = out.write(env.value);
    } catch (e) {
      failOutput(env, e);
      return;
    }
    if (!isPromiseLike(confirm)) env.anchor.ackEdge(env.hi, env.lo, env.attempt);
    else {
      writes.track(
        confirm.then(
          () => env.anchor.ackEdge(env.hi, env.lo, env.attempt),
          (e: unknown) => failOutput(env, e),
        ),
        () => `output "default" did not confirm the write of item ${preview(env.value)}`,
        { env, node: 'default' },
      );
    }
  };
}

function failOutput(env: Envelope<unknown>, e: unknown): void {
  env.anchor.failAnchor(
    {
      node: 'default',
      value: env.value,
      error: new ConsecutionError('OUTPUT_FAILED', `output "default" failed to write: ${messageOf(e)}`, {
        node: 'default',
        cause: e,
      }),
    },
    env.attempt,
  );
}
