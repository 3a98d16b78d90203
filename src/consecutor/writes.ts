import { seconds, type Blame } from '../acker/blame.js';
import { slackOf } from '../acker/acker.js';
import type { Anchor, Envelope, FailureInfo } from '../envelope/envelope.js';
import { ConsecutionError, messageOf } from '../errors.js';
import { isPromiseLike } from '../stage/promise.js';

/** A write the run waits for: what it is (for errors), and when it may be given up (see Writes.track). */
interface TrackedWrite {
  readonly what: () => string;
  /** The output written to, for the failure it may cause and for blame; `consecutor` for the run's own writes. */
  readonly node: string;
  /** The item's envelope, for a write of an item: given up once the item's tree is dead. */
  readonly env: Envelope<unknown> | undefined;
  /** Whether it is given up, with an error, once older than timeoutMs (untracked writes). */
  readonly expires: boolean;
  /** When it was made (the run's coarse clock). */
  readonly since: number;
}

/** How a tracked write may be given up, and whom it blames (see Writes.track). */
export interface TrackHow {
  /** The item written, for a write of an item: given up once the item's tree is dead. */
  readonly env?: Envelope<unknown>;
  /** Given up, with an error, once older than timeoutMs. */
  readonly expires?: boolean;
  /** The output written to; `consecutor` when not given. */
  readonly node?: string;
}

/**
 * The writes a run waits for before it reports (to outputs, to the store's dead letters). At the
 * tracked levels a write that never confirms cannot hold the run forever: see {@link Writes.track}.
 *
 * @example
 * ```ts
 * const writes = new Writes(run, timeoutMs, (f) => run.failUntracked(f));
 * writes.track(channel.write(record), () => 'dead letter could not be written', { expires: true });
 * await writes.waitAll();
 * ```
 */
export class Writes {
  private readonly writes = new Map<PromiseLike<unknown>, TrackedWrite>();
  /** Wakes waitAll() when a write is done or given up. */
  private writeDone: (() => void) | undefined;
  private readonly clock: { readonly now: number };
  private readonly timeoutMs: number;
  private readonly fail: (f: FailureInfo) => void;

  /**
   * @param clock the run's coarse clock, read when a write is made.
   * @param fail reports a write that failed or was given up (a failure outside any item's tree).
   */
  constructor(clock: { readonly now: number }, timeoutMs: number, fail: (f: FailureInfo) => void) {
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.fail = fail;
  }

  /** How many writes are still awaited. */
  get size(): number {
    return this.writes.size;
  }

  /**
   * Keeps a write the run must wait for before it reports. At the tracked levels a write to a
   * container that never confirms cannot hold the run forever: the write of an item is given up
   * once the item's tree has failed or settled elsewhere (it times out), any other (`expires`) once
   * it is older than timeoutMs, with an error. The store's own writes are always waited for.
   */
  track(p: void | PromiseLike<unknown>, what: () => string, how: TrackHow = {}): void {
    if (!isPromiseLike(p)) return;
    const tracked: Promise<void> = Promise.resolve(p).then(
      () => {
        this.untrack(tracked);
      },
      (e: unknown) => {
        if (this.untrack(tracked)) {
          this.fail({ node: 'consecutor', value: undefined, error: new ConsecutionError('OUTPUT_FAILED', `${what()}: ${messageOf(e)}`, { cause: e }) });
        }
      },
    );
    // An untracked item's write (under 'none') has no tree to time out: it expires like a dead letter's.
    const expires = how.expires === true || (how.env !== undefined && !how.env.anchor.tracked);
    this.writes.set(tracked, { what, node: how.node ?? 'consecutor', env: how.env, expires, since: this.clock.now });
  }

  private untrack(p: PromiseLike<unknown>): boolean {
    const had = this.writes.delete(p);
    if (had) this.writeDone?.();
    return had;
  }

  /** On each tick: gives up the writes that can no longer matter, or have waited too long. */
  sweep(now: number): void {
    // The coarse clock's tick more, so that a write is never given up early.
    const limit = slackOf(this.timeoutMs);
    for (const [p, w] of this.writes) {
      if (w.expires ? now - w.since <= limit : w.env === undefined || w.env.anchor.live(w.env.attempt)) continue;
      this.untrack(p);
      if (w.expires) {
        const error = new ConsecutionError('OUTPUT_FAILED', `${w.what()}: not confirmed within timeoutMs=${this.timeoutMs}`, { node: w.node });
        this.fail({ node: w.node, value: w.env?.value, error });
      }
    }
  }

  /** Where these writes hold `root`: the writes of the pipeline's end to the default output. */
  blame(root: Anchor, now: number): Blame | undefined {
    for (const w of this.writes.values()) {
      if (w.env?.anchor.belongsTo(root) === true) return { node: w.node, where: `waiting on output "${w.node}" for ${seconds(now - w.since)}` };
    }
    return undefined;
  }

  /** Resolves once no write is awaited (done or given up). */
  async waitAll(): Promise<void> {
    while (this.writes.size > 0) await new Promise<void>((resolve) => (this.writeDone = resolve));
    this.writeDone = undefined;
  }
}
