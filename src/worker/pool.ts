import type { Blame, Holder } from '../acker/blame.js';
import type { Mode } from '../consecutor/options.js';
import type { Anchor, Envelope } from '../envelope/envelope.js';
import { newSeed, type SplitSeed } from '../envelope/split.js';
import { ConsecutionError } from '../errors.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import { PoolMeter } from './pool-gauge.js';
import { SourceHold } from './source-hold.js';
import { bridge, WorkerDied } from './channel.js';
import { failEnd, failHeld } from './death.js';
import { Batch } from './batch.js';
import { BatchSizer } from './sizer.js';
import { Fifo } from './fifo.js';
import { whereHeld } from './holder.js';
import { stopHung, type Requeue } from './hung.js';
import { started } from './parking.js';
import { Restarts } from './restarts.js';
import { emitCounted, emitEach, emitEnded, fatal, recordMisuses } from './results.js';
import { CREDIT, pick, Slot, workerKind } from './slot.js';
import { unsendable } from './unsendable.js';
import type { FromWorker } from './protocol.js';
import type { Sink } from '../stage/link.js';

export interface PoolOptions {
  readonly url: string;
  readonly mode: Mode;
  readonly parallelism: number;
  /** Items per message. */
  readonly batch: number;
  /** Deaths within `windowMs` after which the run fails with WORKER_CRASHED. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

/** How long a batch should take a worker, at most (see BatchSizer). */
const BATCH_MS = 100;

/**
 * Runs an offloaded node for one subscription: a pool of workers fed in batches, with credit-based
 * flow control (a worker holds at most two batches; a full batch with no credit yet waits here and
 * holds the source back), results back in order, and supervision: a worker that dies fails the
 * items it held and is restarted with back-off, unless workers die too often; one stopped as hung
 * fails only the item it was stuck on (see hung.ts). An item is parked (its timeoutMs clock
 * stopped) from when it joins a batch until a worker, loaded, starts on that batch.
 */
export class Pool<O> implements Holder {
  private readonly slots: Slot[];
  /** The batch being filled. */
  private open: Batch;
  /** Full batches waiting for a worker with credit. */
  private readonly ready = new Fifo<Batch>();
  /**
   * Batches of one item each, sent before `ready`: the items of a batch a worker hung on when it
   * could not say on which item (a process, or several items at once). One that hangs alone is
   * the culprit.
   */
  private readonly suspects = new Fifo<Batch>();
  /** Batches whose results are in, for reuse. */
  private readonly spare: Batch[] = [];
  private readonly seed: SplitSeed;
  private readonly sizer: BatchSizer;
  private readonly restarts: Restarts;
  /** Where the items of a worker stopped as hung go again (see blameHung). */
  private readonly requeue: Requeue;
  private rr = 0;
  private flushScheduled = false;
  private inputDone = false;
  private ended = 0;
  private closed = false;
  /** Holds the source back while a full batch waits for a worker. */
  private readonly hold: SourceHold;
  private readonly meter: PoolMeter;

  constructor(
    private readonly options: PoolOptions,
    private readonly stats: NodeStats,
    private readonly host: StageContext,
    private readonly out: Sink<Envelope<O>>,
  ) {
    this.seed = newSeed(stats.name);
    this.sizer = new BatchSizer(options.batch, host.timeoutMs > 0 ? Math.min(BATCH_MS, host.timeoutMs / 10) : BATCH_MS);
    this.open = this.newBatch();
    this.restarts = new Restarts(stats.name, options.maxRestarts, options.windowMs, host.clock);
    this.requeue = { stats, kind: workerKind(options.mode), add: (env) => this.add(env), suspect: (env) => this.suspect(env) };
    this.slots = Array.from({ length: options.mode === 'sync' ? 1 : options.parallelism }, () => new Slot());
    this.slots.forEach((s) => this.start(s));
    this.hold = new SourceHold(host);
    this.meter = new PoolMeter(host, stats, { slots: this.slots, open: () => this.open, ready: this.ready, suspects: this.suspects });
    host.onTick(() => this.watch());
    host.addHolder(this);
  }

  /** Where this pool holds `root`: on a worker, or waiting for one (asked only when it times out). */
  where(root: Anchor, now: number): Blame | undefined {
    return whereHeld(root, now, this.stats.name, this.requeue.kind, this.slots, this.open, [this.ready, this.suspects]);
  }

  next(env: Envelope<unknown>): void {
    this.stats.received++;
    this.stats.inFlight++;
    this.add(env);
  }

  /** Puts an item in flight into the open batch; a full batch goes to a worker with credit. */
  private add(env: Envelope<unknown>): void {
    const open = this.open;
    env.anchor.park(env.attempt);
    open.add(env);
    if (open.size >= this.sizer.limit) {
      this.ready.push(open);
      this.open = this.newBatch();
      this.dispatch();
    } else if (!this.flushScheduled) {
      // A partial batch goes at the end of this tick, if a worker has credit for it by then.
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this.dispatch();
      });
    }
  }

  complete(): void {
    this.inputDone = true;
    this.maybeEnd();
  }

  /** Stops every worker (run over, or unsubscribed). */
  close(): void {
    this.closed = true;
    this.restarts.clear();
    for (const s of this.slots) s.stop();
    this.hold.set(this.ready.size > 0 && !this.closed);
  }

  private start(slot: Slot): void {
    const { incoming, outgoing } = bridge(this.options.mode, this.options.url, this.stats.name);
    slot.running = incoming.subscribe({
      next: (msg) => this.received(slot, msg),
      error: (e: unknown) => this.died(slot, e instanceof WorkerDied ? e.message : String(e)),
    });
    slot.up(outgoing, this.options.mode, this.host.clock.now());
    outgoing.next({ t: 'init', url: this.options.url, name: this.stats.name, timeoutMs: this.host.timeoutMs, progress: slot.progress?.shared });
  }

  /**
   * Sends full batches to workers with credit, round-robin; then the partial batch, if a worker
   * still has credit (otherwise it goes on filling until one has).
   */
  private dispatch(): void {
    for (;;) {
      const k = pick(this.slots, this.rr);
      if (k < 0) break;
      const slot = this.slots[k]!;
      this.rr = (k + 1) % this.slots.length;
      let batch = this.suspects.take() ?? this.ready.take();
      if (batch === undefined) {
        if (this.open.size === 0) break;
        batch = this.open;
        this.open = this.newBatch();
      }
      try {
        slot.channel!.next(batch.message());
      } catch (e) {
        unsendable(batch, e, this.options.mode, this.stats, this.requeue.add);
        // What failed may have been the run's last work.
        this.maybeEnd();
        continue;
      }
      batch.seq = ++slot.sent;
      slot.inflight.push(batch);
      if (slot.inflight.size === 1 && slot.ready) this.begin(batch);
    }
    this.hold.set(this.ready.size > 0 && !this.closed);
  }

  private newBatch(): Batch {
    return this.spare.pop() ?? new Batch(this.options.batch);
  }

  private received(slot: Slot, msg: FromWorker): void {
    if (this.closed) return;
    slot.progressAt = this.host.clock.now();
    if (msg.t === 'ready') {
      slot.ready = true;
      this.sizer.parallel(msg.concurrency);
      const head = slot.inflight.peek();
      if (head !== undefined) this.begin(head);
    } else if (msg.t === 'results') {
      const batch = slot.inflight.take()!;
      // The worker goes on to the batch it held next.
      const next = slot.inflight.peek();
      if (next !== undefined) this.begin(next);
      this.sizer.answered(batch.size, msg.ms);
      this.meter.took(msg.ms, batch.size);
      this.stats.inFlight -= batch.size;
      if (msg.counts === undefined) emitEach(this.out, this.stats, batch, msg.outs);
      else emitCounted(this.out, this.stats, this.seed, batch, msg);
      if (msg.misuses !== undefined) recordMisuses(this.stats.name, this.host.untracked, msg.misuses);
      batch.clear();
      if (this.spare.length < this.slots.length * CREDIT) this.spare.push(batch);
      this.dispatch();
      this.maybeEnd();
    } else if (msg.t === 'fatal') {
      this.fail(fatal(this.stats.name, this.options.url, msg.error));
    } else if (msg.t === 'ended') {
      emitEnded(this.out, this.stats, this.host.untracked, msg);
      this.workerEnded(slot);
    }
  }

  /**
   * On every tick of the run's clock: a worker hung on a batch, on loading its module, or in end()
   * for longer than the run's timeoutMs is stopped and replaced like a worker that died; only the
   * item it was stuck on fails (see hung.ts).
   */
  private watch(): void {
    const limit = this.host.timeoutMs;
    if (this.closed || limit <= 0) return;
    // host.now: the clock batches are started on (read just before this tick's watchers).
    stopHung(this.slots, this.host.now, limit, this.requeue, (slot, why) => this.died(slot, why));
  }

  /** An item a worker hung on without saying which goes again alone, before the batches waiting. */
  private suspect(env: Envelope<unknown>): void {
    env.anchor.park(env.attempt);
    const single = this.newBatch();
    single.add(env);
    this.suspects.push(single);
  }

  /** Its worker starts on `batch`: its items' clocks run from now. */
  private begin(batch: Batch): void {
    batch.startedAt = this.host.now;
    this.meter.begun(batch);
    started(batch);
  }

  /** A worker died (or was stopped as hung): restarted with back-off, or the run fails (see Restarts). */
  private died(slot: Slot, why: string): void {
    if (this.closed) return;
    failHeld(this.stats, slot, why);
    if (slot.ending) {
      failEnd(this.stats.name, this.host.untracked, slot.ready, why);
      this.workerEnded(slot);
      return;
    }
    const giveUp = this.restarts.died(this.host.clock.now(), why);
    if (giveUp !== undefined) {
      this.fail(giveUp);
      return;
    }
    this.restarts.after(() => {
      if (this.closed || slot.ending) return;
      this.start(slot);
      this.dispatch();
    });
    this.dispatch();
    // What it held may have been the last work of the run (items that timed out and were replayed elsewhere).
    this.maybeEnd();
  }

  /** Once the input is done and every item settled, each worker runs end(); then the pool stops. */
  private maybeEnd(): void {
    if (!this.inputDone || this.ready.size > 0 || this.suspects.size > 0 || this.open.size > 0 || this.slots.some((s) => s.inflight.size > 0 || s.ending)) return;
    for (const s of this.slots) {
      s.ending = true;
      s.progressAt = this.host.clock.now();
      if (s.channel === undefined) this.workerEnded(s);
      else s.channel.next({ t: 'end' });
    }
  }

  private workerEnded(slot: Slot): void {
    slot.stop();
    if (++this.ended === this.slots.length) {
      this.close();
      this.out.complete();
    }
  }

  private fail(e: ConsecutionError): void {
    if (this.closed) return;
    this.close();
    this.out.error(e);
  }
}
