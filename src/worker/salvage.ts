import { toErrorInfo } from '../acker/failure.js';
import type { Mode } from '../consecutor/options.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { crosses } from './clone.js';
import type { BatchMessage, Failed, Results } from './protocol.js';

/**
 * The results of a batch that could not be posted back, made sendable: an item that pushed a
 * value the structured clone refuses (a function, a class instance with private state...) fails
 * with NODE_FAILED, naming the node, the item and the cause, not retryable; the other items keep
 * their results. If no value alone is the cause, every item that had results fails, retryable
 * (another time, in another batch, they may go). Items that had failed keep their own failure.
 */
export function salvage(mode: Mode, results: Results, batch: BatchMessage, node: string, e: unknown): Results {
  const n = batch.values.length;
  const countOf = (i: number) => (results.counts === undefined ? 1 : results.counts[i]!);
  const bad: boolean[] = [];
  for (let i = 0, at = 0; i < n; i++) {
    const k = countOf(i);
    if (k < 0) continue;
    for (let j = at; j < at + k; j++) if (!crosses(mode, results.outs[j])) bad[i] = true;
    at += k;
  }
  const whole = bad.length === 0;
  const lost = (i: number): Failed => {
    const item = preview(batch.values[i]);
    const what = whole ? `the results of item ${item} cannot be sent back from the worker in a batch of ${n}` : `a value item ${item} pushed cannot be sent back from the worker`;
    const error = new ConsecutionError('NODE_FAILED', `node "${node}": ${what}: ${messageOf(e)}`, { node });
    return whole ? { error: toErrorInfo(error) } : { error: toErrorInfo(error), retryable: false };
  };
  const counts: number[] = [];
  const outs: unknown[] = [];
  const failed: Failed[] = [];
  for (let i = 0, at = 0, f = 0; i < n; i++) {
    const k = countOf(i);
    if (k < 0) {
      counts.push(-1);
      failed.push(results.failed[f++]!);
      continue;
    }
    if (whole || bad[i] === true) {
      counts.push(-1);
      failed.push(lost(i));
    } else {
      counts.push(k);
      for (let j = at; j < at + k; j++) outs.push(results.outs[j]);
    }
    at += k;
  }
  return { t: 'results', counts, outs, failed, ms: results.ms, misuses: results.misuses };
}
