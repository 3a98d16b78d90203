import { Envelope } from '../envelope/envelope.js';
import { childHi, childLo, split, type SplitSeed } from '../envelope/split.js';
import type { Sink } from './link.js';
import type { NodeStats } from './stats.js';

/**
 * Emits the k values an item turned into (flatMap, an offloaded node's pushes): one acker update
 * for all k before any is emitted; k = 0 acks the item; the first child reuses the envelope.
 * The values are `values[from]` to `values[to - 1]` (by default all of them).
 */
export function emitChildren<O>(
  out: Sink<Envelope<O>>,
  stats: NodeStats,
  env: Envelope<unknown>,
  values: ArrayLike<O>,
  seed: SplitSeed,
  from = 0,
  to = values.length,
): void {
  const k = to - from;
  split(env, k, seed);
  if (k === 0) {
    stats.acked++;
    return;
  }
  stats.emitted += k;
  const { anchor, attempt } = env;
  const first = env as Envelope<O>;
  first.value = values[from]!;
  out.next(first);
  for (let i = 1; i < k; i++) out.next(new Envelope(values[from + i]!, anchor, childHi(seed, i), childLo(seed, i), attempt));
}
