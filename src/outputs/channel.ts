import { Observable, Subject } from 'rxjs';
import { isPromiseLike } from '../stage/promise.js';
import type { WriteMeta } from './meta.js';
import type { OutputTarget } from './target.js';

/**
 * What a write goes to: an output's channel, or the store (dead letters). `write` returns a promise
 * when the write is confirmed later; it is given a {@link WriteMeta} only when `appends` (a target
 * with `append()`, which gets it), so that other writes make none.
 */
export interface Sink {
  /** The output's name, for errors and blame. */
  readonly name: string;
  /** Whether a write needs its meta (the target has `append(value, meta)`). */
  readonly appends: boolean;
  write(value: unknown, meta: WriteMeta | undefined): void | PromiseLike<unknown>;
}

interface Waiter {
  resolve(value: IteratorResult<unknown>): void;
  reject(error: Error): void;
}

/**
 * One named output of a consecutor: its container (if any), its Observable subscribers and its
 * async-iterator readers. A write is confirmed when the container confirmed it and every
 * async-iterator reader has taken the value, so a slow reader back-pressures the run. Values
 * written to a requested stream before anyone consumes it are held, unconfirmed, for its first
 * consumer: nothing is lost, and `maxPending` bounds what is held. Closed with an error (the run
 * failed), its observers get the error and its readers throw it once they have taken what is queued.
 */
export class OutputChannel implements Sink {
  readonly name: string;
  private readonly target: OutputTarget | undefined;
  private readonly subject = new Subject<unknown>();
  private readonly readers = new Set<Reader>();
  private held: Held[] = [];
  private asked = false;
  private consumed = false;
  private closed = false;
  private failure: Error | undefined;
  /** Whether anyone takes this output's values (a container, an observer, a reader). */
  requested: boolean;
  readonly appends: boolean;

  constructor(name: string, target: OutputTarget | undefined) {
    this.name = name;
    this.target = target;
    this.requested = target !== undefined;
    this.appends = target !== undefined && 'append' in target;
  }

  write(value: unknown, meta: WriteMeta | undefined): void | PromiseLike<unknown> {
    let confirm: unknown;
    const t = this.target;
    if (t !== undefined) confirm = 'append' in t ? t.append(value, meta!) : t.push(value);
    if (this.subject.observed) this.subject.next(value);
    let taken: Promise<void>[] | undefined;
    if (this.readers.size > 0) {
      taken = [];
      for (const r of this.readers) taken.push(r.offer(value));
    } else if (this.asked && !this.consumed) {
      taken = [new Promise<void>((resolve) => this.held.push({ value, taken: resolve }))];
    }
    if (taken !== undefined) return Promise.all(isPromiseLike(confirm) ? [confirm, ...taken] : taken);
    if (isPromiseLike(confirm)) return confirm;
  }

  /** Whether its stream was asked for (`c.output(name)`). */
  get streamed(): boolean {
    return this.asked;
  }

  /**
   * Ends the output: observers complete (or get `error`), readers finish (or throw `error`) once
   * they have taken what is queued. Only the first close counts.
   */
  close(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    if (error === undefined) this.subject.complete();
    else this.subject.error(error);
    for (const r of this.readers) r.close(error);
  }

  /** The output as an Observable that is also an async iterable. */
  stream(): OutputStream<unknown> {
    this.requested = true;
    this.asked = true;
    const stream = new Observable<unknown>((s) => {
      // Subscribed first while open, so that a write made while the held values are handed over
      // reaches it; once closed the subject would end it before it got what was held.
      const sub = this.closed ? undefined : this.subject.subscribe(s);
      for (const h of this.release()) {
        s.next(h.value);
        h.taken();
      }
      if (sub === undefined) {
        if (this.failure === undefined) s.complete();
        else s.error(this.failure);
      }
      return sub;
    }) as OutputStream<unknown>;
    stream[Symbol.asyncIterator] = () => {
      const reader = new Reader(() => this.readers.delete(reader), this.release());
      if (this.closed) reader.close(this.failure);
      else this.readers.add(reader);
      return reader;
    };
    return stream;
  }

  /** What was held for the first consumer, given to it. */
  private release(): Held[] {
    this.consumed = true;
    const held = this.held;
    this.held = [];
    return held;
  }
}

interface Held {
  readonly value: unknown;
  readonly taken: () => void;
}

/** A named output: an Observable of its values, and an async iterable that back-pressures the run. */
export type OutputStream<T> = Observable<T> & AsyncIterable<T>;

class Reader implements AsyncIterator<unknown> {
  private readonly queue: Held[];
  private waiter: Waiter | undefined;
  private done = false;
  /** The error to throw once the queue is empty; thrown once, then the reader is just done. */
  private failure: Error | undefined;
  private readonly detach: () => void;

  constructor(detach: () => void, held: Held[]) {
    this.detach = detach;
    this.queue = held;
  }

  offer(value: unknown): Promise<void> {
    return new Promise<void>((taken: () => void) => {
      if (this.waiter !== undefined) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve({ value, done: false });
        taken();
      } else this.queue.push({ value, taken });
    });
  }

  close(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    const w = this.waiter;
    this.waiter = undefined;
    if (w !== undefined) this.end(w);
  }

  next(): Promise<IteratorResult<unknown>> {
    const head = this.queue.shift();
    if (head !== undefined) {
      head.taken();
      return Promise.resolve({ value: head.value, done: false });
    }
    return new Promise((resolve, reject) => {
      if (this.done) this.end({ resolve, reject });
      else this.waiter = { resolve, reject };
    });
  }

  private end(w: Waiter): void {
    const error = this.failure;
    this.failure = undefined;
    if (error === undefined) w.resolve({ value: undefined, done: true });
    else w.reject(error);
  }

  return(): Promise<IteratorResult<unknown>> {
    this.close();
    this.failure = undefined;
    this.detach();
    for (const q of this.queue.splice(0)) q.taken();
    return Promise.resolve({ value: undefined, done: true });
  }
}
