import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { blameOf, seconds, type Blame, type Holder } from '../acker/blame.js';
import { toErrorInfo, type FailureRecord } from '../acker/failure.js';
import { LooseAnchor } from '../acker/group.js';
import type { Root } from '../acker/root.js';
import { StateCell } from '../stage/state.js';
import type { FoldedCopy, Store } from '../store/store.js';
import { tickOf, Tracker, type Guarantee, type TrackerEvents } from '../acker/tracker.js';
import { Envelope, type Anchor, type FailureInfo, type Node } from '../envelope/envelope.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import type { OutputChannel } from '../outputs/channel.js';
import type { OutputSet } from '../outputs/set.js';
import { isPromiseLike } from '../stage/promise.js';
import { restoredInput } from '../sources/parse.js';
import type { Source, SourceReader } from '../sources/source.js';
import { withHost, NodeRegistry, type Host, type OrderView } from '../stage/host.js';
import type { ChainCount, NodeStats } from '../stage/stats.js';
import type { Mode, ResolvedOptions } from './options.js';
import type { Metrics, RunReport } from './report.js';
import { drainTimeout, Stopping } from './stop.js';

/** A write the run waits for: what it is (for errors), and when it may be given up (see Run.track). */
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

/** How often a run paused at maxPending looks again for a stall while work is in flight. */
const STALL_POLL_MS = 2;

/**
 * One run of a pipeline over one source: the host its stages are built for, the tracker (Storm's
 * acker), the pump that pulls the source under `maxPending`, and the outputs.
 */
export class Run implements Host, TrackerEvents {
  readonly guarantee: Guarantee;
  readonly checks: boolean;
  readonly mode: Mode;
  readonly timeoutMs: number;
  readonly loose: LooseAnchor;
  drained = false;
  /** The coarse clock (epoch ms), advanced on each tick. */
  now = Date.now();
  readonly done: Promise<RunReport>;

  private readonly options: ResolvedOptions;
  private readonly tracker: Tracker | undefined;
  private readonly registry = new NodeRegistry();
  private readonly abort = new AbortController();
  private readonly channels: OutputSet;
  private readonly drainers: (() => void)[] = [];
  private readonly tickers: (() => void)[] = [];
  /** Stages holding items' work, asked when an item times out; the run's own writes first. */
  private readonly holders: Holder[] = [{ where: (root, now) => this.writeBlame(root, now) }];
  private readonly replays: Root[] = [];
  /** Writes the run waits for before it reports (see track). */
  private readonly writes = new Map<PromiseLike<unknown>, TrackedWrite>();
  /** Wakes finish() when a write is done or given up. */
  private writeDone: (() => void) | undefined;
  private readonly looseFailures: FailureRecord[] = [];
  private readonly started = Date.now();
  private readonly source: Source<unknown>;
  private readonly store: Store;
  private readonly cells: StateCell[] = [];
  /** Restored lineage id → what each stateful node (by index) had folded of it before a restart. */
  private readonly restoredFolds = new Map<number, [number, readonly FoldedCopy[]][]>();
  /** Roots read from the source, waiting for their journal commit before they are admitted. */
  private batch: Root[] = [];
  /** The last root read since the last journal write, bad input included: its position goes with the batch. */
  private lastRead: Root | undefined;
  private reader: SourceReader<unknown> | undefined;
  private readonly stopping = new Stopping();
  /** Roots kept pending, unsent, after a stop (a replay due then): they are the next run's. */
  private setAside = 0;
  private input: Subscriber<Envelope<unknown>> | undefined;
  private subscription: Subscription | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private errors = 0;
  /** Stages holding the source back (see Host.hold). */
  private holds = 0;
  private untrackedIngested = 0;
  private sourceDone = false;
  private reading = false;
  private pumping = false;
  private wakeScheduled = false;
  private stallCheck: ReturnType<typeof setTimeout> | undefined;
  private finished = false;
  private resolve!: (r: RunReport) => void;
  private reject!: (e: unknown) => void;

  constructor(source: Source<unknown>, options: ResolvedOptions, channels: OutputSet, store: Store) {
    this.source = source;
    this.store = store;
    this.options = options;
    this.guarantee = options.guarantee;
    this.checks = options.checks;
    this.mode = options.mode;
    this.timeoutMs = options.timeoutMs;
    this.channels = channels;
    this.loose = new LooseAnchor((f) => this.failLoose(f));
    this.tracker =
      options.guarantee === 'none'
        ? undefined
        : new Tracker(
            {
              guarantee: options.guarantee,
              retries: options.retries,
              timeoutMs: options.timeoutMs,
              keepFailures: options.keepFailures,
              firstId: store.nextId(),
            },
            this,
          );
    this.done = new Promise<RunReport>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Builds the pipeline for this run and starts pulling the source. */
  start(pipeline: Node<unknown, unknown>): void {
    try {
      const input = new Observable<Envelope<unknown>>((subscriber) => {
        this.input = subscriber;
        // A run stopped before it started reads nothing, not even its journal.
        if (!this.stopping.requested) {
          this.restoreJournal();
          this.reader = this.source.open(this.store.position());
        }
        this.pump();
      });
      const out = withHost(this, () => pipeline(input));
      // Under 'none' too: node calls, workers and writes that never answer must not hold the run.
      this.timer = setInterval(() => this.tick(), tickOf(this.options.timeoutMs));
      const terminal = this.terminal();
      this.subscription = withHost(this, () =>
        out.subscribe({
          next: terminal,
          error: (e: unknown) => this.fatal(e),
          complete: () => void this.finish(),
        }),
      );
      // The run may have ended inside subscribe (a synchronous source that failed at once): end()
      // found no subscription to close then, and the stages' resources (workers) would stay.
      if (this.finished) this.subscription.unsubscribe();
      this.channels.built(this.registry.nodes.some((s) => s.kind === 'node'));
    } catch (e) {
      this.fatal(e);
    }
  }

  register(kind: string, name: string | undefined): NodeStats {
    return this.registry.register(kind, name);
  }

  onDrain(flush: () => void): void {
    this.drainers.push(flush);
  }

  countChain(count: ChainCount): void {
    this.registry.chains.push(count);
  }

  onTick(fn: () => void): void {
    this.tickers.push(fn);
  }

  addHolder(holder: Holder): void {
    this.holders.push(holder);
  }

  private tick(): void {
    const now = (this.now = Date.now());
    // Stages first: a node call past its own deadline fails with the more precise NODE_TIMEOUT.
    for (const fn of this.tickers) fn();
    this.tracker?.expire(now);
    this.sweepWrites(now);
  }

  state(node: string, snapshot: () => unknown, release: (env: Envelope<unknown>) => void): StateCell | undefined {
    if (this.tracker === undefined || (this.guarantee !== 'replay' && !this.store.durable)) return undefined;
    const index = this.cells.length;
    const checkpoint = this.store.restore(node);
    for (const [id, copies] of checkpoint?.folded ?? []) {
      let folds = this.restoredFolds.get(id);
      if (folds === undefined) this.restoredFolds.set(id, (folds = []));
      folds.push([index, copies]);
    }
    const cell = new StateCell({
      node,
      index,
      store: this.store,
      restored: checkpoint,
      snapshot,
      release,
      onError: (e) => this.storeFailed(e),
    });
    this.cells.push(cell);
    return cell;
  }

  /** Sends the items a killed run left in the journal back in, first, as replays. */
  private restoreJournal(): void {
    if (!this.store.durable) return;
    for (const entry of this.store.pending()) {
      // Redriven bad input goes through the source's parsing again; what still fails, fails again.
      const input = restoredInput(this.source, entry);
      const root = this.tracker!.restore(entry.id, 'value' in input ? input.value : entry.value, entry.position);
      if ('error' in input) {
        root.failAnchor({ node: this.source.name, value: entry.value, error: input.error }, 0);
        continue;
      }
      for (const [index, copies] of this.restoredFolds.get(entry.id) ?? []) this.cells[index]!.adopt(root, copies);
      this.replays.push(root);
    }
  }

  private storeFailed(e: unknown): void {
    this.fatal(new ConsecutionError('STORE_FAILED', `the store failed: ${messageOf(e)}`, { cause: e }));
  }

  order(): OrderView | undefined {
    return this.tracker?.orderView();
  }

  hold(): void {
    this.holds++;
  }

  release(): void {
    if (--this.holds === 0) this.wake();
  }

  output(name: string, node: string): OutputChannel {
    return this.channels.writer(name, node);
  }

  // --- Tracker events --------------------------------------------------------------------------

  settled(root: Root, completed: boolean): void {
    if (completed) this.store.forget(root.id);
    this.reader?.confirm?.(root.position, completed);
    this.wake();
  }

  failure(record: FailureRecord): void {
    this.store.failure(record, this.options.keepFailures);
  }

  replay(root: Root): void {
    for (const cell of this.cells) cell.replaying(root);
    if (this.stopping.requested) this.putAside(root);
    else this.replays.push(root);
    this.wake();
  }

  deadLetter(record: FailureRecord): void {
    this.track(this.store.deadLetter(record), () => `dead letter of item #${record.root} could not be stored`);
    const ch = this.channels.get('deadLetter');
    if (ch === undefined || !ch.requested) return;
    this.track(ch.write(record), () => `dead letter of item #${record.root} could not be written`, { expires: true });
  }

  // --- The pump ----------------------------------------------------------------------------------

  private wake(): void {
    if (this.wakeScheduled || this.pumping || this.finished) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      this.pump();
    });
  }

  /** Pulls the source while there is room, sends replays in, and completes the input at the end. */
  private pump(): void {
    if (this.pumping || this.finished || this.input === undefined) return;
    this.pumping = true;
    const input = this.input;
    const reader = this.reader!;
    const tracker = this.tracker;
    const max = this.options.maxPending;
    try {
      for (;;) {
        if (this.replays.length > 0) {
          const root = this.replays.shift()!;
          if (root.attempt < 0) continue;
          tracker!.rearm(root);
          input.next(new Envelope(root.value, root, root.xorHi, root.xorLo, root.attempt));
          tracker!.entered(root);
          continue;
        }
        if (this.reading || this.sourceDone || this.holds > 0) break;
        if (tracker !== undefined && tracker.pending >= max) {
          this.checkStall();
          break;
        }
        let r;
        try {
          r = reader.read();
        } catch (e) {
          this.sourceFailed(e);
          break;
        }
        // Readers return native promises (see SourceReader); instanceof is far cheaper than looking up `then`.
        if (r instanceof Promise) {
          this.reading = true;
          r.then(
            (res) => {
              // A read a stop left pending: what it returns was never admitted.
              if (this.finished || this.stopping.abandoned) return;
              this.reading = false;
              this.accept(res);
              this.pump();
            },
            (e: unknown) => {
              if (!this.stopping.abandoned) this.sourceFailed(e);
            },
          );
          break;
        }
        this.accept(r);
      }
      if (this.lastRead !== undefined) this.journalBatch();
      if (this.sourceDone && !this.reading && this.replays.length === 0 && (tracker === undefined || tracker.pending === this.setAside)) {
        this.input = undefined;
        input.complete();
      }
    } catch (e) {
      this.fatal(e);
    } finally {
      this.pumping = false;
    }
  }

  private accept(r: IteratorResult<unknown, unknown>): void {
    if (r.done === true) {
      this.endInput();
      return;
    }
    const reader = this.reader!;
    const tracker = this.tracker;
    if (tracker === undefined) {
      this.untrackedIngested++;
      const env = new Envelope(r.value, this.loose, 0, 1, 0);
      if (reader.error === undefined) this.input!.next(env);
      else this.loose.failAnchor({ node: this.source.name, value: r.value, error: reader.error });
      return;
    }
    const root = tracker.admit(r.value, reader.position);
    // Bad input is dead-lettered, not journaled, but its position is: a restart resumes after it.
    if (this.store.durable) this.lastRead = root;
    if (reader.error !== undefined) root.failAnchor({ node: this.source.name, value: r.value, error: reader.error }, 0);
    else if (this.store.durable) this.batch.push(root);
    else this.enter(root);
  }

  private enter(root: Root): void {
    this.input!.next(new Envelope(root.value, root, root.xorHi, root.xorLo, 0));
    this.tracker!.entered(root);
  }

  /**
   * Group commit: the items read in one pass are journaled in one transaction and admitted once it
   * is on disk. Reading goes on meanwhile (they count toward maxPending already).
   */
  private journalBatch(): void {
    const batch = this.batch;
    const position = this.lastRead!.position;
    this.batch = [];
    this.lastRead = undefined;
    this.store.journal(batch, position).then(
      () => {
        if (this.finished) return;
        this.pumping = true;
        try {
          for (const root of batch) if (root.attempt >= 0) this.enter(root);
        } finally {
          this.pumping = false;
        }
        this.pump();
      },
      (e: unknown) => this.storeFailed(e),
    );
  }

  /** The source ended, or the run was stopped: nothing more is read, partial batches flush. */
  private endInput(): void {
    if (this.sourceDone) return;
    this.sourceDone = true;
    this.drained = true;
    for (const flush of this.drainers) flush();
  }

  /**
   * The source is paused at maxPending. If no node has work in flight, nothing can settle an item
   * but a flush: the pending items sit in partial batches that can never fill while the source
   * is paused. Flush them then (soon, so that work just started gets its chance first). While
   * work is in flight (an async node, a worker) look again shortly: when it is done, its items
   * may land in a partial batch, and then nothing would call this again.
   */
  private checkStall(): void {
    if (this.stallCheck !== undefined || this.drainers.length === 0) return;
    this.stallCheck = setTimeout(() => this.stalled(), 0);
  }

  private stalled(): void {
    this.stallCheck = undefined;
    if (this.finished || this.tracker === undefined || this.tracker.pending < this.options.maxPending) return;
    if (this.registry.nodes.some((s) => s.inFlight > 0) || this.writes.size > 0) {
      this.stallCheck = setTimeout(() => this.stalled(), STALL_POLL_MS);
      return;
    }
    for (const flush of this.drainers) flush();
  }

  private sourceFailed(e: unknown): void {
    this.reading = false;
    this.fatal(
      new ConsecutionError('SOURCE_FAILED', `source "${this.source.name}" failed: ${messageOf(e)}`, { cause: e }),
    );
  }

  // --- The end of the pipeline ---------------------------------------------------------------

  /** Values that leave the pipeline's end are written to the `default` output (if any) and acked. */
  private terminal(): (env: Envelope<unknown>) => void {
    const ch = this.channels.get('default');
    const out = ch?.requested === true ? ch : undefined;
    return (env) => {
      if (out === undefined) {
        env.anchor.ackEdge(env.hi, env.lo, env.attempt);
        return;
      }
      let confirm: unknown;
      try {
        confirm = out.write(env.value);
      } catch (e) {
        this.failOutput(env, e);
        return;
      }
      if (!isPromiseLike(confirm)) env.anchor.ackEdge(env.hi, env.lo, env.attempt);
      else {
        this.track(
          confirm.then(
            () => env.anchor.ackEdge(env.hi, env.lo, env.attempt),
            (e: unknown) => this.failOutput(env, e),
          ),
          () => `output "default" did not confirm the write of item ${preview(env.value)}`,
          { env, node: 'default' },
        );
      }
    };
  }

  private failOutput(env: Envelope<unknown>, e: unknown): void {
    env.anchor.failAnchor(
      {
        node: 'default',
        value: env.value,
        error: new ConsecutionError('OUTPUT_FAILED', `output "default" failed to write: ${messageOf(e)}`, {
          node: 'default',
          cause: e,
        }),
      },
      env.attempt,
    );
  }

  /**
   * Keeps a write the run must wait for before it reports. At the tracked levels a write to a
   * container that never confirms cannot hold the run forever: the write of an item is given up
   * once the item's tree has failed or settled elsewhere (it times out), any other (`expires`) once
   * it is older than timeoutMs, with an error. The store's own writes are always waited for.
   */
  private track(p: void | PromiseLike<unknown>, what: () => string, how: { env?: Envelope<unknown>; expires?: boolean; node?: string } = {}): void {
    if (!isPromiseLike(p)) return;
    const tracked: Promise<void> = Promise.resolve(p).then(
      () => {
        this.untrack(tracked);
      },
      (e: unknown) => {
        if (this.untrack(tracked)) {
          this.failLoose({ node: 'consecutor', value: undefined, error: new ConsecutionError('OUTPUT_FAILED', `${what()}: ${messageOf(e)}`, { cause: e }) });
        }
      },
    );
    // An untracked item's write (under 'none') has no tree to time out: it expires like a dead letter's.
    const expires = how.expires === true || (how.env !== undefined && !how.env.anchor.tracked);
    this.writes.set(tracked, { what, node: how.node ?? 'consecutor', env: how.env, expires, since: this.now });
  }

  private untrack(p: PromiseLike<unknown>): boolean {
    const had = this.writes.delete(p);
    if (had) this.writeDone?.();
    return had;
  }

  /** On each tick: gives up the writes that can no longer matter, or have waited too long. */
  private sweepWrites(now: number): void {
    // The coarse clock's tick more, so that a write is never given up early.
    const limit = this.options.timeoutMs + tickOf(this.options.timeoutMs);
    for (const [p, w] of this.writes) {
      if (w.expires ? now - w.since <= limit : w.env === undefined || w.env.anchor.live(w.env.attempt)) continue;
      this.untrack(p);
      if (w.expires) {
        const error = new ConsecutionError('OUTPUT_FAILED', `${w.what()}: not confirmed within timeoutMs=${this.options.timeoutMs}`, { node: w.node });
        this.failLoose({ node: w.node, value: w.env?.value, error });
      }
    }
  }

  /** Where the run's own writes hold `root`: the writes of the pipeline's end to the default output. */
  private writeBlame(root: Anchor, now: number): Blame | undefined {
    for (const w of this.writes.values()) {
      if (w.env?.anchor.belongsTo(root) === true) return { node: w.node, where: `waiting on output "${w.node}" for ${seconds(now - w.since)}` };
    }
    return undefined;
  }

  blame(root: Root, now: number): Blame | undefined {
    return blameOf(this.holders, root, now);
  }

  private failLoose(f: FailureInfo): void {
    this.errors++;
    if (this.looseFailures.length >= this.options.keepFailures) this.looseFailures.shift();
    this.looseFailures.push({ item: f.value, node: f.node, error: toErrorInfo(f.error), attempts: 1, root: -1, at: Date.now() });
  }

  // --- Ending ------------------------------------------------------------------------------------

  /**
   * Stops reading, as if the source had ended here: the input ends once what is in flight has
   * settled, within drainMs (see Consecutor.stop). A replay due now is not sent in: it stays
   * pending (in a durable store's journal) for the next run.
   */
  stop(): void {
    if (this.finished || !this.stopping.request(this.options.drainMs, () => this.drainPassed())) return;
    this.reading = this.stopping.stopReading(this.reader, this.reading);
    for (const root of this.replays.splice(0)) this.putAside(root);
    this.endInput();
    this.wake();
  }

  private putAside(root: Root): void {
    if (root.attempt < 0) return;
    this.tracker!.setAside(root);
    this.setAside++;
  }

  /** drainMs passed after a stop: the run ends now, and what has not settled stays pending. */
  private drainPassed(): void {
    if (this.finished) return;
    const error = drainTimeout(this.options.drainMs, this.tracker?.pending, this.store.durable);
    this.failLoose({ node: 'consecutor', value: undefined, error });
    void this.end().then(
      () => this.resolve(this.report()),
      (e: unknown) => this.reject(e),
    );
  }

  private fatal(e: unknown): void {
    if (this.finished) return;
    const error =
      e instanceof ConsecutionError ? e : new ConsecutionError('PIPELINE_ERROR', `the pipeline failed: ${messageOf(e)}`, { cause: e });
    void this.end(error).then(
      () => this.reject(error),
      () => this.reject(error),
    );
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    while (this.writes.size > 0) await new Promise<void>((resolve) => (this.writeDone = resolve));
    this.writeDone = undefined;
    // drainMs may have passed meanwhile, and ended the run.
    if (this.finished) return;
    await this.end();
    this.resolve(this.report());
  }

  /** Shuts the run down; its outputs end with `error` if it failed. */
  private async end(error?: Error): Promise<void> {
    this.finished = true;
    clearInterval(this.timer);
    clearTimeout(this.stallCheck);
    this.abort.abort();
    this.subscription?.unsubscribe();
    this.channels.close(error);
    await this.stopping.ended(this.reader);
    await this.store.close();
  }

  metrics(): Metrics {
    const t = this.tracker;
    return {
      running: !this.finished,
      pending: t?.pending ?? 0,
      ingested: t?.ingested ?? this.untrackedIngested,
      completed: t?.completed ?? this.untrackedIngested,
      failed: t?.failed ?? this.errors,
      retried: t?.retried ?? 0,
      deadLettered: t?.deadLettered ?? 0,
      errors: t === undefined ? 0 : this.errors,
      nodes: this.nodeSnapshot(),
    };
  }

  private nodeSnapshot(): Record<string, NodeStats> {
    return this.registry.snapshot();
  }

  private report(): RunReport {
    const m = this.metrics();
    const t = this.tracker;
    const failures = [...(t?.failures ?? []), ...this.looseFailures].sort((a, b) => a.at - b.at);
    return {
      ok: t === undefined ? this.errors === 0 : t.deadLettered === 0 && this.errors === 0 && t.pending === 0,
      guarantee: this.guarantee,
      ingested: m.ingested,
      completed: m.completed,
      failed: m.failed,
      retried: m.retried,
      deadLettered: m.deadLettered,
      errors: m.errors,
      durationMs: Date.now() - this.started,
      failures,
      nodes: m.nodes,
      stopped: this.stopping.requested,
      pending: m.pending,
    };
  }
}
