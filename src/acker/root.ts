import type { Anchor, FailureInfo } from '../envelope/envelope.js';

/** What a root reports to: the run's acker. */
export interface RootOwner {
  /** A coarse clock (ms since the run began): what waiting and deadlines are measured with. */
  readonly now: number;
  /** What the idempotency keys of its roots begin with: the store's scope (Store.scope). */
  readonly scope: string;
  /** The name of the run's source: what parses a root's `raw` text again after a restart. */
  readonly source?: string | undefined;
  complete(root: Root): void;
  fail(root: Root, failure: FailureInfo): void;
}

/**
 * One input item in flight: Storm's acker entry. Keeps the XOR of all outstanding edges of its
 * tree; when that is 0 the item is completely processed. Pending roots that a timeout must find
 * are linked through `prev`/`next` in deadline order (see Deadlines).
 *
 * A root is also the first envelope of its tree (anchored to itself, on the first edge, attempt 0):
 * the item enters the pipeline as its root, one object instead of two (W1 and W3 at `confirm` ran
 * 8-9% faster). As an envelope its `value` is the item as the stages made it (a 1:1 stage replaces
 * it in place); `input` keeps the item itself. A replay sends a new envelope in: the root's own one
 * may still be held by a stage of the failed attempt, and tells itself stale by its attempt 0.
 * It is not a subclass of Envelope but has its fields, in its order: a derived class's constructor
 * measured 20% slower (W1 confirm), and TypeScript takes it for an Envelope by its shape.
 */
export class Root implements Anchor {
  // Its envelope half: the fields of an Envelope, in its order (a root passes for one, see above).
  value: unknown;
  anchor: Anchor;
  hi: number;
  lo: number;
  attempt: number;
  // Its root half.
  readonly owner: RootOwner;
  /** Sequence number within the run: the item's lineage id. */
  readonly id: number;
  /** The input item, kept for replay and failure records. */
  readonly input: unknown;
  /** Where the source had it (an index, a byte offset, a broker message): for confirms and resume. */
  readonly position: unknown;
  xorHi: number;
  xorLo: number;
  /** Current attempt, from 0; -1 once settled, so late acks of any attempt are ignored. */
  current: number;
  /** The time (on the owner's coarse clock) after which the root times out, unless it waited meanwhile (see {@link takeWaited}). */
  deadline: number;
  /**
   * What few roots need, made at the first need: a source key, a journaled text, waits, folds. Out
   * of the root, so that the root of a synchronous item is 11 fields: its size was measured, W3
   * ran 11% faster with five fields fewer.
   */
  private more: RootMore | undefined;
  prev: Root | null;
  next: Root | null;

  /**
   * A root armed for its first attempt: its first edge (see Acker.rearm) and its deadline. Every
   * field is set here once, in one order (one shape, no second write by a rearm).
   */
  constructor(owner: RootOwner, id: number, value: unknown, position: unknown, deadline: number, key?: string) {
    // As an envelope: its item, anchored to itself, on the first edge (see Acker.rearm) of attempt 0.
    this.value = value;
    this.anchor = this;
    this.hi = 0;
    this.lo = 1;
    this.attempt = 0;
    this.owner = owner;
    this.id = id;
    this.input = value;
    this.position = position;
    this.xorHi = 0;
    this.xorLo = 1;
    this.current = 0;
    this.deadline = deadline;
    this.more = key === undefined ? undefined : new RootMore(key);
    this.prev = null;
    this.next = null;
  }

  /** Its identity outside this process, from its source (SourceReader.key): what its copies' idempotency keys are made of instead of `id`. */
  get key(): string | undefined {
    return this.more?.key;
  }

  /**
   * The text its source parsed `value` from (SourceReader.raw), from its admission until its
   * journal commit on a durable store, which journals this text instead of the value (see
   * JournalEntry.raw); cleared then, so that an item is not held twice in memory.
   */
  get raw(): string | undefined {
    return this.more?.raw;
  }

  set raw(text: string | undefined) {
    if (text !== undefined || this.more !== undefined) this.extra().raw = text;
  }

  /** What stateful nodes folded of this item, by the node's index (see StateCell). */
  get folds(): (Fold | undefined)[] | undefined {
    return this.more?.folds;
  }

  set folds(folds: (Fold | undefined)[] | undefined) {
    this.extra().folds = folds;
  }

  /** How many of its envelopes are waiting now (see {@link park}). */
  get waiting(): number {
    return this.more?.waiting ?? 0;
  }

  /**
   * While `raw` is set, the source that parses it again after a restart (JournalEntry.rawOf): the
   * run's. A getter, not a field: most roots never have a text.
   */
  get rawOf(): string | undefined {
    return this.raw === undefined ? undefined : this.owner.source;
  }

  get tracked(): boolean {
    return true;
  }

  live(attempt: number): boolean {
    return attempt === this.current;
  }

  ackEdge(hi: number, lo: number, attempt: number): void {
    if (attempt === this.current && ((this.xorHi ^= hi) | (this.xorLo ^= lo)) === 0) this.owner.complete(this);
  }

  addEdge(hi: number, lo: number, attempt: number): void {
    if (attempt !== this.current) return;
    this.xorHi ^= hi;
    this.xorLo ^= lo;
  }

  failAnchor(failure: FailureInfo, attempt: number): void {
    if (attempt !== this.current) return;
    this.owner.fail(this, failure);
  }

  park(attempt: number): void {
    if (attempt !== this.current) return;
    const more = this.extra();
    if (more.waiting++ === 0) more.waited -= this.owner.now;
  }

  unpark(attempt: number): void {
    const more = this.more;
    if (attempt !== this.current || more === undefined || more.waiting === 0) return;
    if (--more.waiting === 0) more.waited += this.owner.now;
  }

  credit(ms: number, attempt: number): void {
    if (attempt === this.current && ms > 0) this.extra().waited += ms;
  }

  belongsTo(root: Anchor): boolean {
    return root === this;
  }

  /**
   * The time it has waited as of `now` that its deadline does not include yet; from now on that
   * time counts as included. Ask when the deadline has passed: a root that waited is given that
   * time more, instead of failing.
   */
  takeWaited(now: number): number {
    const more = this.more;
    if (more === undefined) return 0;
    if (more.waiting === 0) {
      const w = more.waited;
      more.waited = 0;
      return w;
    }
    const w = more.waited + now;
    more.waited = -now;
    return w;
  }

  /** A new attempt: what the earlier one waited no longer matters (its envelopes are stale). */
  resetWaits(): void {
    const more = this.more;
    if (more === undefined) return;
    more.waiting = 0;
    more.waited = 0;
  }

  private extra(): RootMore {
    return (this.more ??= new RootMore(undefined));
  }
}

/** The fields of a {@link Root} that few roots need. */
class RootMore {
  readonly key: string | undefined;
  raw: string | undefined;
  /** How many of the root's envelopes are waiting now (see Root.park). */
  waiting: number;
  /**
   * Time spent waiting, and not yet added to the deadline; while `waiting > 0`, less the moment the
   * current wait began (the owner's coarse clock), so that adding `now` gives the total.
   */
  waited: number;
  folds: (Fold | undefined)[] | undefined;

  constructor(key: string | undefined) {
    this.key = key;
    this.raw = undefined;
    this.waiting = 0;
    this.waited = 0;
    this.folds = undefined;
  }
}

/**
 * The copies of one item one stateful node folded, by edge (an edge names a copy's path, the same
 * in every attempt): the first inline, any others in a map. `value` is what the copy emitted (scan).
 */
export interface Fold {
  readonly hi: number;
  readonly lo: number;
  readonly value: unknown;
  more: Map<string, unknown> | undefined;
}
