import { seconds, type Blame, type Holder } from '../acker/blame.js';
import type { Anchor, Envelope } from '../envelope/envelope.js';
import { childHi, childLo, newSeed, seedFrom, type SplitSeed } from '../envelope/split.js';
import { ConsecutionError, isRetryable, messageOf, preview } from '../errors.js';
import { isPromiseLike } from '../stage/promise.js';
import type { NodeStats } from '../stage/stats.js';
import type { Sink } from './channel.js';
import { metaOf, type WriteMeta } from './meta.js';

/**
 * What a stage writes an output with (see StageContext.output): the confirmed-write path. A copy
 * is acked once its write is confirmed (at once for an array's `push()`, when the promise of an
 * `append()` resolves), fails with `OUTPUT_FAILED` naming the output when the write throws or
 * rejects, and is given up when it can no longer matter: once its item's tree has failed or settled
 * elsewhere (it timed out: the `ACK_TIMEOUT` names the output), or, for an untracked value, once it
 * is older than the run's timeoutMs (with an `OUTPUT_FAILED` error). So a target that never
 * confirms cannot hold the run.
 */
export interface OutputWriter {
  /** Writes an envelope's value; the envelope's edge (hi, lo) is acked once the write is confirmed. */
  write(value: unknown, anchor: Anchor, hi: number, lo: number, attempt: number): void;
  /**
   * Writes `value` as the `n`th written child of `parent` in try `tries` (`ctx.write`): the item
   * completes once the write is confirmed. The child's edge is derived like a pushed child's, so
   * its idempotency key is the same in every attempt of the item.
   */
  writeChild(value: unknown, parent: Envelope<unknown>, tries: number, n: number): void;
  /** Writes a value of no tracked item (what `end()` writes, a dead letter): `meta` by default a fresh untracked one. */
  writeValue(value: unknown, meta?: WriteMeta): void;
  /** How many writes are not confirmed (nor given up) yet. */
  readonly pending: number;
  /** Calls `fn` each time the last unconfirmed write is confirmed, failed or given up. */
  onIdle(fn: () => void): void;
}

/** What the writers of a run share (see Writes). */
export interface WriteOwner {
  /** The run's coarse clock (epoch ms). */
  readonly now: number;
  readonly timeoutMs: number;
  /** The anchor of values of no tracked item: failing it records a failure of the run. */
  readonly untracked: Anchor;
  /** A write is awaited from now on. */
  started(): void;
  /** An awaited write was confirmed, failed or given up. */
  settled(): void;
}

/** How one writer writes (see {@link Writer}). */
export interface WriterOptions {
  /** Named in failures and blame: an `output()` stage's name, else the output's. */
  readonly node: string;
  /** The user node that writes (`ctx.write`), named in messages. */
  readonly by?: string;
  /** An `output()` stage's counters: its writes are its items (acked, failed, inFlight). */
  readonly stats?: NodeStats;
  /** Whether a write of an untracked value is given up after timeoutMs. @default true (false: the store's writes, always awaited) */
  readonly expires?: boolean;
  /** Own words for a failure: what could not be written, `why` being the rejection's message or "not confirmed within timeoutMs=N". */
  readonly says?: (value: unknown, why: string) => string;
}

/** A write not confirmed yet: the copy it acks or fails, and when it was made. */
class PendingWrite {
  constructor(
    readonly value: unknown,
    readonly anchor: Anchor,
    readonly hi: number,
    readonly lo: number,
    readonly attempt: number,
    /** A copy of an item (else a value of `end()` or a dead letter): for messages. */
    readonly ofItem: boolean,
    readonly since: number,
  ) {}
}

/**
 * One writer of one output (an `output()` stage, the pipeline's end, a user node's `ctx.write`,
 * the dead letters): the confirmed-write path of {@link OutputWriter}, with the writes it still
 * awaits, which the run sweeps on its tick ({@link sweep}) and asks when an item times out ({@link where}).
 *
 * @example
 * ```ts
 * import type { Envelope } from '../envelope/envelope.js';
 * import type { Sink } from './channel.js';
 * import type { Writes } from './writes.js';
 * declare const writes: Writes;
 * declare const sink: Sink;
 * declare const env: Envelope<unknown>;
 * const writer = writes.writer(sink, { node: 'rows' });
 * writer.write(env.value, env.anchor, env.hi, env.lo, env.attempt); // acks env's edge once confirmed
 * ```
 */
export class Writer implements OutputWriter, Holder {
  private readonly owner: WriteOwner;
  private readonly sink: Sink;
  private readonly node: string;
  private readonly by: string | undefined;
  private readonly stats: NodeStats | undefined;
  private readonly expires: boolean;
  private readonly says: ((value: unknown, why: string) => string) | undefined;
  private readonly writes = new Set<PendingWrite>();
  private readonly seed: SplitSeed;
  private idle: (() => void) | undefined;

  constructor(owner: WriteOwner, sink: Sink, options: WriterOptions) {
    this.owner = owner;
    this.sink = sink;
    this.node = options.node;
    this.by = options.by;
    this.stats = options.stats;
    this.expires = options.expires ?? true;
    this.says = options.says;
    // Not the node's own seed: written children must not share edges with pushed ones.
    this.seed = newSeed(`${options.by ?? options.node}\u0000write:${sink.name}`);
  }

  get pending(): number {
    return this.writes.size;
  }

  onIdle(fn: () => void): void {
    this.idle = fn;
  }

  write(value: unknown, anchor: Anchor, hi: number, lo: number, attempt: number): void {
    this.put(value, anchor, hi, lo, attempt, true, true, undefined);
  }

  writeChild(value: unknown, parent: Envelope<unknown>, tries: number, n: number): void {
    seedFrom(this.seed, parent.hi, parent.lo, tries);
    this.put(value, parent.anchor, childHi(this.seed, n), childLo(this.seed, n), parent.attempt, true, false, undefined);
  }

  writeValue(value: unknown, meta?: WriteMeta): void {
    this.put(value, this.owner.untracked, 0, 1, 0, false, true, meta);
  }

  /**
   * The path itself. `inAnchor`: the edge is already the anchor's (an envelope's own), so a write
   * confirmed at once acks it; else (a new child) the edge joins the anchor only if the write is
   * confirmed later. Nothing is allocated for a write confirmed at once, nor a meta for a target
   * without append().
   */
  private put(value: unknown, anchor: Anchor, hi: number, lo: number, attempt: number, ofItem: boolean, inAnchor: boolean, meta: WriteMeta | undefined): void {
    let confirm: unknown;
    try {
      confirm = this.sink.write(value, this.sink.appends ? (meta ?? metaOf(anchor, hi, lo, attempt)) : undefined);
    } catch (e) {
      this.fail(value, anchor, attempt, this.rejection(value, ofItem, e));
      return;
    }
    if (!isPromiseLike(confirm)) {
      if (this.stats !== undefined) this.stats.acked++;
      if (inAnchor) anchor.ackEdge(hi, lo, attempt);
      return;
    }
    if (!inAnchor) anchor.addEdge(hi, lo, attempt);
    const w = new PendingWrite(value, anchor, hi, lo, attempt, ofItem, this.owner.now);
    this.writes.add(w);
    if (this.stats !== undefined) this.stats.inFlight++;
    this.owner.started();
    confirm.then(
      () => this.confirmed(w),
      (e: unknown) => this.rejected(w, e),
    );
  }

  private confirmed(w: PendingWrite): void {
    if (!this.forget(w)) return;
    if (this.stats !== undefined) this.stats.acked++;
    w.anchor.ackEdge(w.hi, w.lo, w.attempt);
    this.quiet();
  }

  private rejected(w: PendingWrite, e: unknown): void {
    if (!this.forget(w)) return;
    this.fail(w.value, w.anchor, w.attempt, this.rejection(w.value, w.ofItem, e));
    this.quiet();
  }

  /**
   * Gives up the writes that can no longer matter: a tracked copy's once its tree has failed or
   * settled elsewhere (silently: the tree's failure says why), an untracked value's once older than
   * `limit` ms (with an error), unless this writer's writes do not expire.
   */
  sweep(now: number, limit: number): void {
    if (this.writes.size === 0) return;
    for (const w of this.writes) {
      if (w.anchor.tracked ? w.anchor.live(w.attempt) : !this.expires || now - w.since <= limit) continue;
      this.forget(w);
      if (!w.anchor.tracked) this.fail(w.value, w.anchor, w.attempt, this.unconfirmed(w));
    }
    this.quiet();
  }

  /** Where this writer holds `root`: a write of it not confirmed yet. */
  where(root: Anchor, now: number): Blame | undefined {
    for (const w of this.writes) {
      if (!w.anchor.belongsTo(root)) continue;
      const by = this.by === undefined ? '' : ` (written by node "${this.by}")`;
      return { node: this.node, where: `waiting on output "${this.sink.name}"${by} for ${seconds(now - w.since)}` };
    }
    return undefined;
  }

  private forget(w: PendingWrite): boolean {
    if (!this.writes.delete(w)) return false;
    if (this.stats !== undefined) this.stats.inFlight--;
    this.owner.settled();
    return true;
  }

  private quiet(): void {
    if (this.writes.size === 0) this.idle?.();
  }

  private fail(value: unknown, anchor: Anchor, attempt: number, error: ConsecutionError): void {
    if (this.stats !== undefined) this.stats.failed++;
    anchor.failAnchor({ node: this.node, value, error }, attempt);
  }

  private rejection(value: unknown, ofItem: boolean, e: unknown): ConsecutionError {
    const why = messageOf(e);
    const message = this.says?.(value, why) ?? `output "${this.sink.name}" failed to write ${this.label(value, ofItem)}: ${why}`;
    // A target that says trying again cannot help (a 4xx) is not replayed.
    return new ConsecutionError('OUTPUT_FAILED', message, { node: this.node, cause: e, retryable: isRetryable(e) });
  }

  private unconfirmed(w: PendingWrite): ConsecutionError {
    const ms = this.owner.timeoutMs;
    const message =
      this.says?.(w.value, `not confirmed within timeoutMs=${ms}`) ??
      `output "${this.sink.name}" did not confirm the write of ${this.label(w.value, w.ofItem)} within timeoutMs=${ms}`;
    return new ConsecutionError('OUTPUT_FAILED', message, { node: this.node });
  }

  /** `item 5`, `item 5 by node "audit"`, `{"total":9} by node "sum"'s end()`. */
  private label(value: unknown, ofItem: boolean): string {
    const by = this.by === undefined ? '' : ` by node "${this.by}"${ofItem ? '' : "'s end()"}`;
    return `${ofItem ? 'item ' : ''}${preview(value)}${by}`;
  }
}

/** The writer of a pipeline built only to be looked at (describe): it takes anything and does nothing. */
export const discardingWriter: OutputWriter = {
  write() {},
  writeChild() {},
  writeValue() {},
  pending: 0,
  onIdle() {},
};
