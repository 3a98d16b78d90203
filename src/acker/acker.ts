import type { FailureInfo } from '../envelope/envelope.js';
import { ConsecutionError, isRetryable } from '../errors.js';
import type { Clock } from '../types.js';
import type { Blame } from './blame.js';
import { reasonOf, toErrorInfo, type FailureRecord } from './failure.js';
import { Deadlines } from './deadlines.js';
import { Root, type RootOwner } from './root.js';

/** The guarantee levels: what is tracked, and what the run promises. */
export type Guarantee = 'none' | 'confirm' | 'track' | 'replay';

/** What the acker tells the run about. */
export interface AckerEvents {
  /**
   * A root completed and left the pending set. Apart from {@link deadLettered} because it is the
   * call every item makes: kept small, so that the JIT inlines it into the item's last ack.
   */
  completed(root: Root): void;
  /** A root was given up on and left the pending set: its dead-letter record is to be kept and written. */
  deadLettered(root: Root, record: FailureRecord): void;
  /** A failed root is to run again: give it a fresh edge and send it in. */
  replay(root: Root): void;
  /** A failure was recorded (track and replay levels). */
  failure(record: FailureRecord): void;
  /** Where a timed-out root is stuck, if a stage knows (see Holder). */
  blame(root: Root, now: number): Blame | undefined;
}

export interface AckerOptions {
  readonly guarantee: Exclude<Guarantee, 'none'>;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly keepFailures: number;
  /** The first lineage id: lineage ids never repeat across restarts of one store. */
  readonly firstId: number;
  /** What the idempotency keys of its roots begin with: the store's scope (Store.scope). */
  readonly scope: string;
  /** The name of the run's source (RootOwner.source). */
  readonly source?: string | undefined;
  /** The run's clock: read when the acker is made and for a failure record's `at`, not per item. */
  readonly clock: Clock;
}

/**
 * Storm's acker for one run: the pending roots in admission order, their completion, failure,
 * timeout, replay and dead-lettering, and the counts the report gives.
 */
export class Acker implements RootOwner {
  pending = 0;
  ingested = 0;
  completed = 0;
  failed = 0;
  retried = 0;
  deadLettered = 0;
  /** The last `keepFailures` failure records (track and replay levels). */
  readonly failures: FailureRecord[] = [];
  /**
   * A coarse clock, advanced by {@link expire} (reading the clock per item costs too much), in ms
   * since the acker was made, not since the epoch: so that deadlines and waits are small integers,
   * which V8 keeps in the root itself. An epoch time (~1.7e12) does not fit a small integer, and
   * each root would carry a boxed number for its deadline (16 bytes more, one more allocation).
   */
  now: number;
  readonly scope: string;
  readonly source: string | undefined;
  /** The clock's time when the acker was made: what {@link now} counts from. */
  private readonly epoch: number;

  /** The pending roots in deadline order, for {@link expire}. */
  private readonly deadlines = new Deadlines();
  private seq: number;
  /** Ids of pending roots, kept only when a stage needs input order (ordered()). */
  private pendingIds: Set<number> | undefined;
  private readonly settleListeners: (() => void)[] = [];
  private readonly options: AckerOptions;
  private readonly events: AckerEvents;
  /** timeoutMs plus the coarse clock's tick, so that a root never times out early. */
  private readonly deadlineSlack: number;

  constructor(options: AckerOptions, events: AckerEvents) {
    this.options = options;
    this.scope = options.scope;
    this.source = options.source;
    this.events = events;
    this.seq = options.firstId;
    this.epoch = options.clock.now();
    this.now = 0;
    this.deadlineSlack = slackOf(options.timeoutMs);
  }

  /**
   * What ordered() needs: whether an id is still pending, the next id to be given out, and a call
   * after every settle. Turns on the (small) cost of keeping the set of pending ids.
   */
  orderView(): { pending(id: number): boolean; nextId(): number; onSettle(fn: () => void): void } {
    this.pendingIds ??= new Set();
    return {
      pending: (id) => this.pendingIds!.has(id),
      nextId: () => this.seq,
      onSettle: (fn) => this.settleListeners.push(fn),
    };
  }

  private settledId(id: number): void {
    if (this.pendingIds === undefined) return;
    this.pendingIds.delete(id);
    for (const fn of this.settleListeners) fn();
  }

  /**
   * Admits an input item: a new pending root with its first edge set. It joins the deadline list
   * only through {@link enteredNew}, if it is still pending once the graph has taken it: most roots
   * of a CPU-bound pipeline complete within that call and never need a timeout.
   */
  admit(value: unknown, position: unknown, key?: string): Root {
    const root = new Root(this, this.seq++, value, position, this.now + this.deadlineSlack, key);
    this.pendingIds?.add(root.id);
    this.ingested++;
    this.pending++;
    return root;
  }

  /** Takes back an item journaled before a restart, with its lineage id. Send it in as a replay. */
  restore(id: number, value: unknown, position: unknown, key?: string): Root {
    const root = new Root(this, id, value, position, this.now + this.deadlineSlack, key);
    if (id >= this.seq) this.seq = id + 1;
    this.pendingIds?.add(id);
    this.ingested++;
    this.pending++;
    return root;
  }

  /** A replayed or restored root was sent in: linked for timeouts if still pending (a replay is already). */
  entered(root: Root): void {
    if (root.current >= 0) this.deadlines.link(root);
  }

  /**
   * A newly admitted root, on its first attempt, is still pending once the graph has taken it:
   * linked for timeouts at the next sweep if still pending then (see Deadlines.note).
   */
  enteredNew(root: Root): void {
    this.deadlines.note(root);
  }

  /**
   * Gives a root its first edge and deadline (on admission and on each replay). The first edge
   * need not be random: it is the only edge until a split adds random ones, and a set of random
   * edges XORs to this constant by accident only with probability 2^-64. Stale envelopes of an
   * earlier attempt are told apart by their attempt number, not their edge.
   */
  rearm(root: Root): void {
    root.xorHi = 0;
    root.xorLo = 1;
    root.deadline = this.now + this.deadlineSlack;
    root.resetWaits();
  }

  complete(root: Root): void {
    this.deadlines.remove(root);
    root.current = -1;
    this.pending--;
    this.completed++;
    if (!this.quiet) this.announce(root);
  }

  /** Tells of a completion: the events, and ordered() (see {@link quiet}). */
  private announce(root: Root): void {
    this.events.completed(root);
    this.settledId(root.id);
  }

  /**
   * Whether completions need not be told now: set by the pump of a run that listens to nothing on
   * completion (a memory store, a reader without confirm, no ordered()), for as long as it runs.
   * A pump that runs sees the room a completion made by itself; keeping the call off the path of
   * every item lets the JIT inline the pipeline into the pump.
   */
  quiet = false;

  /** Whether anything in the acker listens to completions (ordered()): then it is never {@link quiet}. */
  get listened(): boolean {
    return this.pendingIds !== undefined;
  }

  fail(root: Root, failure: FailureInfo): void {
    this.failed++;
    const record = this.recordOf(root, failure);
    if (this.options.guarantee !== 'confirm') {
      if (this.failures.length >= this.options.keepFailures) this.failures.shift();
      this.failures.push(record);
      this.events.failure(record);
    }
    if (this.options.guarantee === 'replay' && isRetryable(failure.error) && root.current < this.options.retries) {
      root.current++;
      this.retried++;
      // Back to the tail: a replayed root is the youngest in deadline order.
      this.deadlines.requeue(root);
      root.deadline = this.now + this.deadlineSlack;
      this.events.replay(root);
      return;
    }
    this.deadlines.remove(root);
    root.current = -1;
    this.pending--;
    this.deadLettered++;
    this.events.deadLettered(root, record);
    this.settledId(root.id);
  }

  /**
   * Keeps a root pending with no deadline: the run stopped, and it will not be sent in again
   * (a durable store keeps it for the next run), so it must not time out and use up its retries.
   * (Not Root.park, which pauses a root's clock while it waits in a stage.)
   */
  setAside(root: Root): void {
    this.deadlines.remove(root);
    // ordered() need not hold what comes after it: it comes back only in the next run.
    this.settledId(root.id);
  }

  /**
   * Fails every root past its deadline with `ACK_TIMEOUT`, naming where it is stuck. The time a
   * root spent waiting (see Root.park) does not count: one that waited gets that time more, and
   * goes to the tail (a little late for the deadline order: it times out late, never early).
   * Call from a timer.
   */
  expire(at: number): void {
    const now = (this.now = at - this.epoch);
    const deadlines = this.deadlines;
    deadlines.sweep();
    // Each step removes the head or moves it to the tail with a deadline after now.
    for (let root = deadlines.first; root !== null && root.deadline <= now; root = deadlines.first) {
      const waited = root.takeWaited(now);
      if (root.deadline + waited > now) {
        root.deadline += waited;
        deadlines.requeue(root);
      } else this.timedOut(root, at);
    }
  }

  private timedOut(root: Root, now: number): void {
    const blame = this.events.blame(root, now);
    const node = blame?.node ?? 'consecutor';
    const where = blame === undefined ? '' : `: ${blame.where}`;
    const message = `item #${root.id} was not completely processed within timeoutMs=${this.options.timeoutMs}${where}`;
    root.failAnchor({ node, value: root.input, error: new ConsecutionError('ACK_TIMEOUT', message, { node }) }, root.current);
  }

  private recordOf(root: Root, failure: FailureInfo): FailureRecord {
    return {
      item: root.input,
      node: failure.node,
      error: toErrorInfo(failure.error),
      ...reasonOf(failure.error),
      attempts: root.current + 1,
      root: root.id,
      at: this.options.clock.now(),
    };
  }
}

/** How often the coarse clock ticks and timeouts are checked, for a given timeoutMs. */
export function tickOf(timeoutMs: number): number {
  return Math.max(5, Math.min(1_000, Math.floor(timeoutMs / 10)));
}

/**
 * When a limit of `timeoutMs` checked on the run's tick is past for sure: the limit plus one tick
 * of the coarse clock, so that nothing is given up early.
 */
export function slackOf(timeoutMs: number): number {
  return timeoutMs + tickOf(timeoutMs);
}
