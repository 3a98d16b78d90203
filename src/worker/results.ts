import type { ErrorInfo } from '../acker/failure.js';
import { Envelope, type Anchor } from '../envelope/envelope.js';
import type { SplitSeed } from '../envelope/split.js';
import { ConsecutionError } from '../errors.js';
import { rejection } from '../nodes/either.js';
import { emitChildren } from '../stage/emit.js';
import { failAt, nodeError } from '../stage/fail.js';
import type { NodeStats } from '../stage/stats.js';
import type { Batch } from './batch.js';
import { rebuild } from './rebuild.js';
import type { Failed, FromWorker, Misuse, Results } from './protocol.js';
import type { Sink } from '../stage/link.js';

type Ended = Extract<FromWorker, { t: 'ended' }>;

/**
 * A batch's results when every item pushed one value, the common case: each envelope keeps its
 * anchor and takes its value, no acker traffic, nothing allocated. For an answer without
 * `counts`: `if (msg.counts === undefined) emitEach(out, stats, batch, msg.outs)`.
 */
export function emitEach<O>(out: Sink<Envelope<O>>, stats: NodeStats, batch: Batch, outs: ArrayLike<unknown>): void {
  const envs = batch.envs;
  stats.emitted += batch.size;
  for (let i = 0; i < batch.size; i++) {
    const o = envs[i] as Envelope<O>;
    o.value = outs[i] as O;
    out.next(o);
  }
}

/**
 * A batch's results when some item failed or pushed other than one value (`msg.counts`: per item,
 * how many it pushed, or -1 if it failed): failures fail their item, several values split it.
 * For an answer with `counts`: `if (msg.counts !== undefined) emitCounted(out, stats, seed, batch, msg)`.
 */
export function emitCounted<O>(out: Sink<Envelope<O>>, stats: NodeStats, seed: SplitSeed, batch: Batch, msg: Results): void {
  const { envs } = batch;
  const counts = msg.counts!;
  let at = 0;
  let failed = 0;
  for (let i = 0; i < batch.size; i++) {
    const env = envs[i]!;
    const n = counts[i]!;
    if (n < 0) failOne(stats, env, msg.failed[failed++]!);
    else if (n === 1) {
      const o = env as Envelope<O>;
      o.value = msg.outs[at++] as O;
      stats.emitted++;
      out.next(o);
    } else {
      emitChildren(out, stats, env, msg.outs as ArrayLike<O>, seed, at, at + n);
      at += n;
    }
  }
}

/** An item the worker failed: rejected (an Either's left) or thrown. */
function failOne(stats: NodeStats, env: Envelope<unknown>, o: Failed): void {
  const error = o.rejected === true ? rejection(stats.name, env.value, o.reason) : rebuild(o.error, stats.name, o.retryable);
  failAt(stats, env, env.value, error);
}

/**
 * What a worker's end() pushed, on `untracked` (the anchor of values from no item), and how it failed,
 * if it did. For the worker's `ended` answer.
 */
export function emitEnded<O>(out: Sink<Envelope<O>>, stats: NodeStats, untracked: Anchor, msg: Ended): void {
  for (const v of msg.outs) {
    stats.emitted++;
    out.next(new Envelope(v as O, untracked, 0, 1, 0));
  }
  if (msg.error !== undefined) {
    untracked.failAnchor({ node: stats.name, value: undefined, error: nodeError(stats.name, '(end)', rebuild(msg.error, stats.name)) }, 0);
  }
  if (msg.misuses !== undefined) recordMisuses(stats.name, untracked, msg.misuses);
}

/**
 * Records the calls a worker's node made on contexts of items already settled (`ctx.push()` after
 * `ctx.ack()`) as the run's errors, as inline: on `untracked`, so that no item fails for them.
 *
 * @example
 * ```ts
 * import type { Anchor } from '../envelope/envelope.js';
 * import { recordMisuses } from './results.js';
 * declare const untracked: Anchor; // the run's anchor of values from no item
 * const misuse = { item: { id: 7 }, error: { name: 'ConsecutionError', message: 'node "score" called ctx.push() after its item was settled (returned, acked, failed or timed out)', code: 'NODE_FAILED' } };
 * recordMisuses('score', untracked, [misuse]); // one error in the report, no item failed
 * ```
 */
export function recordMisuses(node: string, untracked: Anchor, misuses: readonly Misuse[]): void {
  for (const m of misuses) untracked.failAnchor({ node, value: m.item, error: rebuild(m.error, node) }, 0);
}

/**
 * The error a run fails with when a worker could not load the node's module (its 'fatal' answer).
 *
 * @example
 * ```ts
 * const e = fatal('parse', 'file:///app/parse.js', { name: 'SyntaxError', message: 'Unexpected token' });
 * // ConsecutionError OPTIONS_INVALID: node "parse" (file:///app/parse.js): Unexpected token
 * ```
 */
export function fatal(node: string, url: string, error: ErrorInfo): ConsecutionError {
  return new ConsecutionError('OPTIONS_INVALID', `node "${node}" (${url}): ${error.message}`, { node, cause: rebuild(error, node) });
}
