import type { Clock } from '../types.js';
import type { Answer, Ingest } from './http-ingest.js';
import type { SourceState } from './source.js';

/** A remembered answer as saved: `[key, at (epoch ms), status, body]`. */
type Saved = [string, number, number, unknown];

/**
 * The `Idempotency-Key`s of fromHttp: the answer of each request that admitted something, kept
 * for `ttlMs` and at most `max` keys (the oldest go first), in the source's state: in the run's
 * store, so that on LMDB they survive a restart. The table is saved whole; saves asked for while
 * one is being written share the next one. Requests still in flight are kept here too (`live`),
 * so that a repeat sent meanwhile waits for the same outcome instead of admitting its items again.
 */
export class IdempotencyKeys {
  /** In flight in this process: a repeat waits for its outcome. */
  readonly live = new Map<string, Ingest>();
  /** By age (Map order is insertion order): [at, answer]. */
  private readonly answers = new Map<string, { at: number; answer: Answer }>();
  private readonly state: SourceState | undefined;
  private readonly clock: Clock;
  private readonly max: number;
  private readonly ttlMs: number;
  private writing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(state: SourceState | undefined, clock: Clock, max: number, ttlMs: number) {
    this.state = state;
    this.clock = clock;
    this.max = max;
    this.ttlMs = ttlMs;
    const saved = state?.restore();
    if (Array.isArray(saved)) {
      for (const [key, at, status, body] of saved as Saved[]) this.answers.set(key, { at, answer: { status, body, remember: true } });
    }
  }

  /** The answer kept for `key`, unless it expired. */
  get(key: string): Answer | undefined {
    const kept = this.answers.get(key);
    if (kept === undefined) return undefined;
    if (kept.at + this.ttlMs > this.clock.now()) return kept.answer;
    this.answers.delete(key);
    return undefined;
  }

  /** Keeps `answer` for `key` (a later answer replaces an earlier one); resolves once it is saved. */
  keep(key: string, answer: Answer): Promise<void> {
    this.answers.delete(key);
    this.answers.set(key, { at: this.clock.now(), answer: { status: answer.status, body: answer.body, remember: true } });
    for (const k of this.answers.keys()) {
      if (this.answers.size <= this.max) break;
      this.answers.delete(k);
    }
    return this.save();
  }

  private save(): Promise<void> {
    const state = this.state;
    if (state === undefined) return Promise.resolve();
    this.queued ??= (this.writing ?? Promise.resolve())
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return (this.writing = state.save(this.snapshot()));
      });
    return this.queued;
  }

  private snapshot(): Saved[] {
    const oldest = this.clock.now() - this.ttlMs;
    const out: Saved[] = [];
    for (const [key, { at, answer }] of this.answers) if (at > oldest) out.push([key, at, answer.status, answer.body]);
    return out;
  }
}
