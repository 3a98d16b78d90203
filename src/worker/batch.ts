import type { Envelope } from '../envelope/envelope.js';
import { Column } from './column.js';
import type { BatchMessage } from './protocol.js';

/**
 * Items going to a worker in one message: their envelopes, kept on this side for the results, and
 * what of them crosses (values, and attempts where not all are first attempts). Sized once, for
 * the offload's `batch` (no array grows per item); how many it takes is the pool's call (see
 * BatchSizer). Reused once its results are in.
 */
export class Batch {
  /** The envelopes, `size` of them. */
  readonly envs: Envelope<unknown>[];
  size = 0;
  /** Which batch it is of those sent to its worker, from 1 (see Progress). */
  seq = 0;
  /** When its worker started on it (the run's coarse clock): its items' clocks run from then; 0 until. */
  startedAt = 0;
  /** When its worker started on it, on the node's gauge (see NodeGauge.time). */
  gaugeAt = 0;
  private readonly values: Column;
  private attempts: number[] | undefined = undefined;

  constructor(readonly capacity: number) {
    this.envs = new Array<Envelope<unknown>>(capacity);
    this.values = new Column(capacity);
  }

  add(env: Envelope<unknown>): void {
    if (env.attempt !== 0 && this.attempts === undefined) {
      this.attempts = [];
      for (let i = 0; i < this.size; i++) this.attempts.push(this.envs[i]!.attempt);
    }
    this.envs[this.size++] = env;
    this.values.push(env.value);
    this.attempts?.push(env.attempt);
  }

  /** Empties the batch for reuse: its results are in, so nothing reads its message any more. */
  clear(): void {
    this.envs.fill(undefined as never, 0, this.size);
    this.size = 0;
    this.seq = 0;
    this.startedAt = 0;
    this.values.clear();
    this.attempts = undefined;
  }

  /** The message that sends it. */
  message(): BatchMessage {
    return { t: 'batch', values: this.values.seal(), attempts: this.attempts };
  }
}
