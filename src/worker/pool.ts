import type { Subscriber } from 'rxjs';
import { seconds, type Blame, type Holder } from '../acker/blame.js';
import type { Mode } from '../consecutor/options.js';
import { Envelope, type Anchor } from '../envelope/envelope.js';
import { newSeed, type SplitSeed } from '../envelope/split.js';
import { ConsecutionError, messageOf, preview } from '../errors.js';
import { rejection } from '../nodes/either.js';
import { emitChildren } from '../stage/emit.js';
import { failAt, nodeError } from '../stage/fail.js';
import type { Host } from '../stage/host.js';
import type { NodeStats } from '../stage/stats.js';
import type { Observer, Subscription } from 'rxjs';
import { bridge, WorkerDied } from './channel.js';
import { crosses } from './clone.js';
import { Batch } from './batch.js';
import { BatchSizer } from './sizer.js';
import { Fifo } from './fifo.js';
import { Progress, UNKNOWN } from './progress.js';
import { rebuild } from './rebuild.js';
import type { Failed, FromWorker, Results, ToWorker } from './protocol.js';

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

/** One worker and the batches it holds. */
class Slot {
  /** Where to send; undefined while the worker is down. */
  channel: Observer<ToWorker> | undefined;
  /** The subscription that keeps the worker alive. */
  running: Subscription | undefined;
  /** Batches sent, in order: results come back one message per batch, in the same order. */
  readonly inflight = new Fifo<Batch>();
  ending = false;
  /** When the worker last showed progress: started, ready, answered a batch, or was told to end (epoch ms). */
  progressAt = 0;
  /** Whether it has loaded the node's module (said 'ready'). */
  ready = false;
  /** Which item the worker is on (a thread only: shared memory). */
  progress: Progress | undefined;
  /** Batches sent to this worker: the next one's seq is one more. */
  sent = 0;
}

/** How long a batch should take a worker, at most (see BatchSizer). */
const BATCH_MS = 100;

/** Batches a worker holds at most: one to work on, one to start on at once when that is done. */
const CREDIT = 2;

/**
 * Runs an offloaded node for one subscription: a pool of workers fed in batches, with credit-based
 * flow control (a worker holds at most two batches; a full batch with no credit yet waits here and
 * holds the source back), results back in order, and supervision: a worker that dies fails the
 * items it held and is restarted with back-off, unless workers die too often; one stopped as hung
 * fails only the item it was stuck on (see blameHung). An item is parked (its timeoutMs clock
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
  private readonly deaths: number[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private rr = 0;
  private flushScheduled = false;
  private inputDone = false;
  private ended = 0;
  private closed = false;
  /** Whether this pool holds the source back (see throttle). */
  private holding = false;

  constructor(
    private readonly options: PoolOptions,
    private readonly stats: NodeStats,
    private readonly host: Host,
    private readonly out: Subscriber<Envelope<O>>,
  ) {
    this.seed = newSeed(stats.name);
    this.sizer = new BatchSizer(options.batch, host.timeoutMs > 0 ? Math.min(BATCH_MS, host.timeoutMs / 10) : BATCH_MS);
    this.open = this.newBatch();
    this.slots = Array.from({ length: options.mode === 'sync' ? 1 : options.parallelism }, () => new Slot());
    this.slots.forEach((s) => this.start(s));
    host.onTick(() => this.watch());
    host.addHolder(this);
  }

  /** Where this pool holds `root`: on a worker, or waiting for one (asked only when it times out). */
  where(root: Anchor, now: number): Blame | undefined {
    const node = this.stats.name;
    const has = (b: Batch) => holds(b, root);
    for (const slot of this.slots) {
      const head = slot.inflight.peek();
      if (head !== undefined && head.startedAt > 0 && has(head)) {
        return { node, where: `in node "${node}" on a ${this.workerKind()} for ${seconds(now - head.startedAt)}` };
      }
    }
    if (!has(this.open) && !this.ready.some(has) && !this.suspects.some(has) && !this.slots.some((s) => s.inflight.some(has))) return undefined;
    return { node, where: `waiting for a ${this.workerKind()} in node "${node}"` };
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
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.slots) this.stop(s);
    this.throttle();
  }

  private stop(slot: Slot): void {
    slot.channel = undefined;
    slot.running?.unsubscribe();
    slot.running = undefined;
  }

  private start(slot: Slot): void {
    const { incoming, outgoing } = bridge(this.options.mode, this.options.url, this.stats.name);
    slot.running = incoming.subscribe({
      next: (msg) => this.received(slot, msg),
      error: (e: unknown) => this.died(slot, e instanceof WorkerDied ? e.message : String(e)),
    });
    slot.channel = outgoing;
    slot.progressAt = Date.now();
    slot.ready = false;
    slot.progress = this.options.mode === 'thread' ? new Progress() : undefined;
    slot.sent = 0;
    outgoing.next({ t: 'init', url: this.options.url, name: this.stats.name, progress: slot.progress?.shared });
  }

  /**
   * Sends full batches to workers with credit, round-robin; then the partial batch, if a worker
   * still has credit (otherwise it goes on filling until one has).
   */
  private dispatch(): void {
    for (;;) {
      const slot = this.pick();
      if (slot === undefined) break;
      let batch = this.suspects.take() ?? this.ready.take();
      if (batch === undefined) {
        if (this.open.size === 0) break;
        batch = this.open;
        this.open = this.newBatch();
      }
      try {
        slot.channel!.next(batch.message());
      } catch (e) {
        this.unsendable(batch, e);
        continue;
      }
      batch.seq = ++slot.sent;
      slot.inflight.push(batch);
      if (slot.inflight.size === 1 && slot.ready) this.begin(batch);
    }
    this.throttle();
  }

  /**
   * A batch could not be sent: some value of it cannot be cloned (a function, a class instance
   * with private state...). Those items fail with BAD_INPUT, naming the node and the item, not
   * retryable; the others are sent again. If no item alone is the cause, the whole batch fails,
   * retryable (another time, in another batch, it may go).
   */
  private unsendable(batch: Batch, e: unknown): void {
    started(batch);
    const envs = batch.envs.slice(0, batch.size);
    batch.clear();
    const bad = envs.filter((env) => !crosses(this.options.mode, env.value));
    if (bad.length === 0) {
      for (const env of envs) this.unsent(env, `could not be sent to a ${this.workerKind()} in a batch of ${envs.length}`, e, true);
    } else {
      for (const env of bad) this.unsent(env, `cannot be sent to a ${this.workerKind()}`, e, false);
      for (const env of envs) if (!bad.includes(env)) this.add(env);
    }
    // What failed may have been the run's last work.
    this.maybeEnd();
  }

  private unsent(env: Envelope<unknown>, what: string, e: unknown, retryable: boolean): void {
    this.stats.inFlight--;
    const error = new ConsecutionError('BAD_INPUT', `node "${this.stats.name}": item ${preview(env.value)} ${what}: ${messageOf(e)}`, {
      node: this.stats.name,
      cause: e,
      retryable,
    });
    failAt(this.stats, env, env.value, error);
  }

  private workerKind(): string {
    return this.options.mode === 'process' ? 'worker process' : 'worker thread';
  }

  /**
   * Credit back to the source: while a full batch waits with every worker busy, the source is
   * held, so that items are not read (and kept in memory, and copied by every young-generation
   * GC) only to wait here; maxPending still bounds the run as a whole. Results or a restarted
   * worker dispatch again, and so release it.
   */
  private throttle(): void {
    const saturated = this.ready.size > 0 && !this.closed;
    if (saturated === this.holding) return;
    this.holding = saturated;
    if (saturated) this.host.hold();
    else this.host.release();
  }

  private newBatch(): Batch {
    return this.spare.pop() ?? new Batch(this.options.batch);
  }

  /** The next worker with credit, round-robin. */
  private pick(): Slot | undefined {
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const s = this.slots[(this.rr + k) % n]!;
      if (s.channel !== undefined && !s.ending && s.inflight.size < CREDIT) {
        this.rr = (this.rr + k + 1) % n;
        return s;
      }
    }
    return undefined;
  }

  private received(slot: Slot, msg: FromWorker): void {
    if (this.closed) return;
    slot.progressAt = Date.now();
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
      this.stats.inFlight -= batch.size;
      if (msg.counts === undefined) this.emitEach(batch, msg.outs);
      else this.emitCounted(batch, msg);
      batch.clear();
      if (this.spare.length < this.slots.length * CREDIT) this.spare.push(batch);
      this.dispatch();
      this.maybeEnd();
    } else if (msg.t === 'fatal') {
      this.fail(
        new ConsecutionError('OPTIONS_INVALID', `node "${this.stats.name}" (${this.options.url}): ${msg.error.message}`, {
          node: this.stats.name,
          cause: rebuild(msg.error, this.stats.name),
        }),
      );
    } else if (msg.t === 'ended') {
      for (const v of msg.outs) {
        this.stats.emitted++;
        this.out.next(new Envelope(v as O, this.host.loose, 0, 1, 0));
      }
      if (msg.error !== undefined) {
        this.host.loose.failAnchor({ node: this.stats.name, value: undefined, error: nodeError(this.stats.name, '(end)', rebuild(msg.error, this.stats.name)) }, 0);
      }
      this.workerEnded(slot);
    }
  }

  /** Every item pushed one value, the common case: each keeps its anchor, no acker traffic, nothing allocated. */
  private emitEach(batch: Batch, outs: ArrayLike<unknown>): void {
    const envs = batch.envs;
    this.stats.emitted += batch.size;
    for (let i = 0; i < batch.size; i++) {
      const o = envs[i] as Envelope<O>;
      o.value = outs[i] as O;
      this.out.next(o);
    }
  }

  private emitCounted(batch: Batch, msg: Results): void {
    const { envs } = batch;
    const counts = msg.counts!;
    let at = 0;
    let failed = 0;
    for (let i = 0; i < batch.size; i++) {
      const env = envs[i]!;
      const n = counts[i]!;
      if (n < 0) this.failed(env, msg.failed[failed++]!);
      else if (n === 1) {
        const o = env as Envelope<O>;
        o.value = msg.outs[at++] as O;
        this.stats.emitted++;
        this.out.next(o);
      } else {
        emitChildren(this.out, this.stats, env, msg.outs as ArrayLike<O>, this.seed, at, at + n);
        at += n;
      }
    }
  }

  private failed(env: Envelope<unknown>, o: Failed): void {
    const error = o.rejected === true ? rejection(this.stats.name, env.value, o.reason) : rebuild(o.error, this.stats.name, o.retryable);
    failAt(this.stats, env, env.value, error);
  }

  /**
   * On every tick of the run's clock: a worker that has been on a batch for longer than the run's
   * timeoutMs without answering is stuck (a loop that never returns, a call that never settles
   * without a node timeoutMs). It is stopped and replaced like a worker that died, but only the
   * item it was stuck on fails (see blameHung). So is a worker that has not loaded its module (a
   * top-level await that never settles), or not finished end(), within timeoutMs: the run would
   * never end. A batch's time is measured on the run's coarse clock from when its items' clocks
   * started, and the watch runs before the tracker's expiry in the same tick: it comes before
   * their ACK_TIMEOUT.
   */
  private watch(): void {
    const limit = this.host.timeoutMs;
    if (this.closed || limit <= 0) return;
    // The clock batches are started on (set to Date.now() just before this tick's watchers).
    const now = this.host.now;
    for (const slot of this.slots) {
      if (slot.channel === undefined) continue;
      const why = hung(slot, now, limit);
      if (why === undefined) continue;
      this.stop(slot);
      if (slot.ready && !slot.ending && slot.inflight.size > 0) this.blameHung(slot, now, limit);
      this.died(slot, why);
    }
  }

  /**
   * A worker stopped as hung on the batch it was on: the item it was on fails alone, with
   * NODE_TIMEOUT; the others of that batch (done but not answered, or not started) and of the
   * batch it held next go to a worker again, no attempt lost, and the time the hang cost them is
   * given back to their clocks. When it cannot say which item (a process has no shared memory; a
   * node may run several at once), that batch's items go again one per batch, as suspects.
   */
  private blameHung(slot: Slot, now: number, limit: number): void {
    const [head, ...later] = slot.inflight.drain() as [Batch, ...Batch[]];
    const envs = head.envs.slice(0, head.size);
    const on = envs.length === 1 ? 0 : (slot.progress?.read(head.seq) ?? UNKNOWN);
    const lost = now - head.startedAt;
    for (let i = 0; i < envs.length; i++) {
      const env = envs[i]!;
      if (i === on) this.hungOn(env, limit);
      else {
        env.anchor.credit(lost, env.attempt);
        this.again(env, on === UNKNOWN || on >= envs.length);
      }
    }
    for (const b of later) {
      // Never started: they were waiting, and wait again.
      started(b);
      for (const env of b.envs.slice(0, b.size)) this.again(env, false);
    }
  }

  private hungOn(env: Envelope<unknown>, limit: number): void {
    this.stats.inFlight--;
    const message = `node "${this.stats.name}" did not finish item ${preview(env.value)}: the ${this.workerKind()} was stopped as hung on it after timeoutMs=${limit}`;
    failAt(this.stats, env, env.value, new ConsecutionError('NODE_TIMEOUT', message, { node: this.stats.name }));
  }

  /** An item a stopped worker held goes to a worker again (alone, when a suspect), unless it no longer counts. */
  private again(env: Envelope<unknown>, suspect: boolean): void {
    if (!env.anchor.live(env.attempt)) {
      this.stats.inFlight--;
      return;
    }
    if (!suspect) return this.add(env);
    env.anchor.park(env.attempt);
    const single = this.newBatch();
    single.add(env);
    this.suspects.push(single);
  }

  /** Its worker starts on `batch`: its items' clocks run from now. */
  private begin(batch: Batch): void {
    batch.startedAt = this.host.now;
    started(batch);
  }

  private died(slot: Slot, why: string): void {
    if (this.closed) return;
    slot.channel = undefined;
    slot.running = undefined;
    const lost = slot.inflight.drain().flatMap((b) => b.envs.slice(0, b.size));
    const error = new ConsecutionError('WORKER_CRASHED', `node "${this.stats.name}": ${why}; ${lost.length} item(s) it held failed`, {
      node: this.stats.name,
    });
    for (const env of lost) {
      this.stats.inFlight--;
      failAt(this.stats, env, env.value, error);
    }
    this.stats.crashes = (this.stats.crashes ?? 0) + 1;
    if (slot.ending) {
      // It died in end() (or before it had even loaded): what end() would have pushed is lost,
      // and the run must say so.
      const when = slot.ready ? ' while it ran end()' : '';
      const endLost = new ConsecutionError('WORKER_CRASHED', `node "${this.stats.name}": ${why}${when}`, { node: this.stats.name });
      this.host.loose.failAnchor({ node: this.stats.name, value: undefined, error: endLost }, 0);
      this.workerEnded(slot);
      return;
    }
    const now = Date.now();
    this.deaths.push(now);
    while (this.deaths.length > 0 && this.deaths[0]! < now - this.options.windowMs) this.deaths.shift();
    if (this.deaths.length > this.options.maxRestarts) {
      this.fail(
        new ConsecutionError(
          'WORKER_CRASHED',
          `node "${this.stats.name}": workers died ${this.deaths.length} times within ${this.options.windowMs} ms (last: ${why}); giving up`,
          { node: this.stats.name },
        ),
      );
      return;
    }
    // Back off: 50 ms, 100 ms, 200 ms ... for deaths close together.
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed || slot.ending) return;
      this.start(slot);
      this.dispatch();
    }, 50 * 2 ** (this.deaths.length - 1));
    this.timers.add(t);
    this.dispatch();
    // What it held may have been the last work of the run (items that timed out and were replayed elsewhere).
    this.maybeEnd();
  }

  /** Once the input is done and every item settled, each worker runs end(); then the pool stops. */
  private maybeEnd(): void {
    if (!this.inputDone || this.ready.size > 0 || this.suspects.size > 0 || this.open.size > 0 || this.slots.some((s) => s.inflight.size > 0 || s.ending)) return;
    for (const s of this.slots) {
      s.ending = true;
      s.progressAt = Date.now();
      if (s.channel === undefined) this.workerEnded(s);
      else s.channel.next({ t: 'end' });
    }
  }

  private workerEnded(slot: Slot): void {
    this.stop(slot);
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

/** A worker starts on `batch`: its items stop waiting (see Anchor.park). */
function started(batch: Batch): void {
  const { envs } = batch;
  for (let i = 0; i < batch.size; i++) envs[i]!.anchor.unpark(envs[i]!.attempt);
}

/** Whether `batch` has an item of `root`. */
function holds(batch: Batch, root: Anchor): boolean {
  for (let i = 0; i < batch.size; i++) if (batch.envs[i]!.anchor.belongsTo(root)) return true;
  return false;
}

/** Why a worker counts as hung at `now`, or undefined while it does not (see Pool.watch). */
function hung(slot: Slot, now: number, limit: number): string | undefined {
  const quiet = now - slot.progressAt;
  if (!slot.ready) return quiet > limit ? `the worker had not loaded its module after timeoutMs=${limit}, so it was stopped as hung` : undefined;
  if (slot.ending) return quiet > limit ? `the worker was stopped as hung after timeoutMs=${limit}` : undefined;
  const oldest = slot.inflight.peek();
  if (oldest === undefined || oldest.startedAt === 0 || now - oldest.startedAt <= limit) return undefined;
  return `the worker held a batch of ${oldest.size} item(s) for more than timeoutMs=${limit} without an answer, so it was stopped as hung`;
}
