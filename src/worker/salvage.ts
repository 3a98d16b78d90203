import { toErrorInfo } from '../acker/failure.js';
import type { Mode } from '../consecutor/options.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { crosses } from './clone.js';
import type { Batch, Failed, Results } from './protocol.js';

/**
 * The results of a batch that could not be posted back, made sendable: an item that pushed a
 * value the structured clone refuses (a function, a class instance with private state...) fails
 * with NODE_FAILED, naming the node, the item and the cause; the other items keep their results.
 * If no value alone is the cause, every item fails with the error.
 */
export function salvage(mode: Mode, results: Results, batch: Batch, node: string, e: unknown): Results {
  const counts: number[] = [];
  const outs: unknown[] = [];
  const failed: Failed[] = [];
  const failedOf = (i: number, why: string): Failed => ({
    error: toErrorInfo(
      new ConsecutionError('NODE_FAILED', `node "${node}": a value item ${preview(batch.values[i])} pushed cannot be sent back from the worker: ${why}`, { node }),
    ),
    retryable: false,
  });
  let at = 0;
  let nextFailure = 0;
  let anyBad = false;
  for (let i = 0; i < batch.values.length; i++) {
    const n = results.counts === undefined ? 1 : results.counts[i]!;
    if (n < 0) {
      counts.push(-1);
      failed.push(results.failed[nextFailure++]!);
      continue;
    }
    const mine = Array.from({ length: n }, (_, k) => results.outs[at + k]);
    at += n;
    if (mine.every((v) => crosses(mode, v))) {
      counts.push(n);
      outs.push(...mine);
    } else {
      anyBad = true;
      counts.push(-1);
      failed.push(failedOf(i, messageOf(e)));
    }
  }
  if (anyBad) return { t: 'results', counts, outs, failed };
  // No value alone: nothing of this batch can go.
  return {
    t: 'results',
    counts: counts.map(() => -1),
    outs: [],
    failed: counts.map((_, i) => failedOf(i, messageOf(e))),
  };
}
