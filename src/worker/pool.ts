import type { Subscriber } from 'rxjs';
import type { ErrorInfo } from '../acker/failure.js';
import type { Mode } from '../consecutor/options.js';
import { Envelope } from '../envelope/envelope.js';
import { newSeed, type SplitSeed } from '../envelope/split.js';
import { ConsecutionError } from '../errors.js';
import { rejection } from '../nodes/either.js';
import { emitChildren } from '../stage/emit.js';
import { failAt, nodeError } from '../stage/fail.js';
import type { Host } from '../stage/host.js';
import type { NodeStats } from '../stage/stats.js';
import type { Observer, Subscription } from 'rxjs';
import { bridge, WorkerDied } from './channel.js';
import type { Failed, FromWorker, ToWorker } from './protocol.js';

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

/** One worker and the items it holds. */
class Slot {
  /** Where to send; undefined while the worker is down. */
  channel: Observer<ToWorker> | undefined;
  /** The subscription that keeps the worker alive. */
  running: Subscription | undefined;
  /** Items sent, in order: results come back in the same order. */
  inflight: Envelope<unknown>[] = [];
  head = 0;
  /** Items waiting to be sent in the next batch. */
  outgoing: Envelope<unknown>[] = [];
  ending = false;

  get load(): number {
    return this.inflight.length - this.head + this.outgoing.length;
  }
}

/**
 * Runs an offloaded node for one subscription: a pool of workers fed in batches, with credit-based
 * flow control (a worker holds at most two batches; what has no credit waits here, and the run's
 * maxPending bounds that), results back in order, and supervision: a worker that dies fails the
 * items it held and is restarted with back-off, unless workers die too often.
 */
export class Pool<O> {
  private readonly slots: Slot[];
  /** Items with no credit yet, from `waitingHead` on (a head index: shift() is O(n) on a long queue). */
  private waiting: Envelope<unknown>[] = [];
  private waitingHead = 0;
  private readonly seed: SplitSeed;
  private readonly deaths: number[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private rr = 0;
  private flushScheduled = false;
  private inputDone = false;
  private ended = 0;
  private closed = false;
  private readonly credit: number;

  constructor(
    private readonly options: PoolOptions,
    private readonly stats: NodeStats,
    private readonly host: Host,
    private readonly out: Subscriber<Envelope<O>>,
  ) {
    this.seed = newSeed(stats.name);
    this.credit = options.batch * 2;
    this.slots = Array.from({ length: options.mode === 'sync' ? 1 : options.parallelism }, () => new Slot());
    this.slots.forEach((s) => this.start(s));
  }

  next(env: Envelope<unknown>): void {
    this.stats.received++;
    this.stats.inFlight++;
    // The common case: nothing waits, and the current worker has room.
    if (this.waitingHead === this.waiting.length) {
      const slot = this.slots[this.rr]!;
      if (slot.channel !== undefined && !slot.ending && slot.load < this.credit) {
        slot.outgoing.push(env);
        if (slot.outgoing.length >= this.options.batch) this.rr = (this.rr + 1) % this.slots.length;
        this.filled(slot);
        return;
      }
    }
    this.waiting.push(env);
    this.dispatch();
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
  }

  private stop(slot: Slot): void {
    slot.channel = undefined;
    slot.running?.unsubscribe();
    slot.running = undefined;
  }

  private start(slot: Slot): void {
    const { incoming, outgoing } = bridge(this.options.mode);
    slot.running = incoming.subscribe({
      next: (msg) => this.received(slot, msg),
      error: (e: unknown) => this.died(slot, e instanceof WorkerDied ? e.message : String(e)),
    });
    slot.channel = outgoing;
    outgoing.next({ t: 'init', url: this.options.url });
  }

  /** Hands waiting items to workers with credit; a full batch goes at once, the rest at the end of this tick. */
  private dispatch(): void {
    while (this.waitingHead < this.waiting.length) {
      const slot = this.pick();
      if (slot === undefined) break;
      // Fill this worker's batch before moving on.
      while (this.waitingHead < this.waiting.length && slot.load < this.credit && slot.outgoing.length < this.options.batch) {
        slot.outgoing.push(this.waiting[this.waitingHead++]!);
      }
      this.filled(slot);
    }
    if (this.waitingHead > 0 && (this.waitingHead === this.waiting.length || this.waitingHead * 2 > this.waiting.length)) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
  }

  /** The next worker with credit, round-robin. */
  private pick(): Slot | undefined {
    const n = this.slots.length;
    for (let k = 0; k < n; k++) {
      const s = this.slots[(this.rr + k) % n]!;
      if (s.channel !== undefined && !s.ending && s.load < this.credit) {
        this.rr = (this.rr + k + 1) % n;
        return s;
      }
    }
    return undefined;
  }

  /** Sends a full batch now; a partial one at the end of this tick. */
  private filled(slot: Slot): void {
    if (slot.outgoing.length >= this.options.batch) this.flush(slot);
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        for (const s of this.slots) this.flush(s);
      });
    }
  }

  private flush(slot: Slot): void {
    if (slot.outgoing.length === 0 || slot.channel === undefined) return;
    const batch = slot.outgoing;
    slot.outgoing = [];
    const values: unknown[] = [];
    const attempts: number[] = [];
    for (const env of batch) {
      values.push(env.value);
      attempts.push(env.attempt);
      slot.inflight.push(env);
    }
    slot.channel.next({ t: 'batch', values, attempts });
  }

  private received(slot: Slot, msg: FromWorker): void {
    if (this.closed) return;
    if (msg.t === 'results') {
      let at = 0;
      let failed = 0;
      for (const n of msg.counts) {
        const env = slot.inflight[slot.head++]!;
        this.stats.inFlight--;
        if (n < 0) this.failed(env, msg.failed[failed++]!);
        else if (n === 1) {
          // 1:1, the common case: the item keeps its anchor, no acker traffic, nothing allocated.
          const o = env as Envelope<O>;
          o.value = msg.outs[at++] as O;
          this.stats.emitted++;
          this.out.next(o);
        } else {
          emitChildren(this.out, this.stats, env, msg.outs.slice(at, at + n) as O[], this.seed);
          at += n;
        }
      }
      if (slot.head === slot.inflight.length) {
        slot.inflight = [];
        slot.head = 0;
      }
      this.dispatch();
      this.maybeEnd();
    } else if (msg.t === 'fatal') {
      this.fail(new ConsecutionError('OPTIONS_INVALID', `node "${this.stats.name}" (${this.options.url}): ${msg.error.message}`, { node: this.stats.name, cause: rebuild(msg.error) }));
    } else if (msg.t === 'ended') {
      for (const v of msg.outs) {
        this.stats.emitted++;
        this.out.next(new Envelope(v as O, this.host.loose, 0, 1, 0));
      }
      if (msg.error !== undefined) {
        this.host.loose.failAnchor({ node: this.stats.name, value: undefined, error: nodeError(this.stats.name, '(end)', rebuild(msg.error)) }, 0);
      }
      this.workerEnded(slot);
    }
  }

  private failed(env: Envelope<unknown>, o: Failed): void {
    const error = o.rejected === true ? rejection(this.stats.name, env.value, o.reason) : rebuild(o.error);
    failAt(this.stats, env, env.value, error);
  }

  private died(slot: Slot, why: string): void {
    if (this.closed) return;
    slot.channel = undefined;
    slot.running = undefined;
    const lost = [...slot.inflight.slice(slot.head), ...slot.outgoing];
    slot.inflight = [];
    slot.head = 0;
    slot.outgoing = [];
    const error = new ConsecutionError('WORKER_CRASHED', `node "${this.stats.name}": ${why}; ${lost.length} item(s) it held failed`, {
      node: this.stats.name,
    });
    for (const env of lost) {
      this.stats.inFlight--;
      failAt(this.stats, env, env.value, error);
    }
    if (slot.ending) {
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
      if (this.closed) return;
      this.start(slot);
      this.dispatch();
    }, 50 * 2 ** (this.deaths.length - 1));
    this.timers.add(t);
    this.dispatch();
  }

  /** Once the input is done and every item settled, each worker runs end(); then the pool stops. */
  private maybeEnd(): void {
    if (!this.inputDone || this.waitingHead < this.waiting.length || this.slots.some((s) => s.load > 0 || s.ending)) return;
    for (const s of this.slots) {
      s.ending = true;
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

/** An error from the other side, with its name, message and stack. */
function rebuild(info: ErrorInfo): Error {
  const e = new Error(info.message);
  e.name = info.name;
  if (info.stack !== undefined) e.stack = info.stack;
  if (info.code !== undefined) (e as Error & { code: string }).code = info.code;
  return e;
}
