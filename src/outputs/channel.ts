import { Observable, Subject } from 'rxjs';
import { ConsecutionError, preview } from '../errors.js';

/**
 * Where a named output can go: anything with `append()` (a container, a file writer, a store,
 * whose promise means "confirmed") or `push()` (an array).
 */
export type OutputTarget<T = unknown> =
  | { append(value: T): unknown }
  | { push(value: T): unknown };

/** Writes one value; returns a promise when the write is confirmed later. */
export interface OutputWriter {
  write(value: unknown): void | PromiseLike<unknown>;
}

interface Waiter {
  resolve(value: IteratorResult<unknown>): void;
}

/**
 * One named output of a consecutor: its container (if any), its Observable subscribers and its
 * async-iterator readers. A write is confirmed when the container confirmed it and every
 * async-iterator reader has taken the value, so a slow reader back-pressures the run.
 */
export class OutputChannel implements OutputWriter {
  readonly name: string;
  private readonly target: OutputTarget | undefined;
  private readonly subject = new Subject<unknown>();
  private readonly readers = new Set<Reader>();
  /** Whether anyone takes this output's values (a container, an observer, a reader). */
  requested: boolean;

  constructor(name: string, target: OutputTarget | undefined) {
    this.name = name;
    this.target = target;
    this.requested = target !== undefined;
  }

  write(value: unknown): void | PromiseLike<unknown> {
    let confirm: unknown;
    const t = this.target;
    if (t !== undefined) confirm = 'append' in t ? t.append(value) : t.push(value);
    if (this.subject.observed) this.subject.next(value);
    if (this.readers.size > 0) {
      const taken: Promise<void>[] = [];
      for (const r of this.readers) taken.push(r.offer(value));
      return Promise.all(isPromiseLike(confirm) ? [confirm, ...taken] : taken);
    }
    if (isPromiseLike(confirm)) return confirm;
  }

  /** Ends the output: observers complete, readers finish. */
  close(): void {
    this.subject.complete();
    for (const r of this.readers) r.close();
  }

  /** The output as an Observable that is also an async iterable. */
  stream(): OutputStream<unknown> {
    this.requested = true;
    const subject = this.subject;
    const stream = new Observable<unknown>((s) => subject.subscribe(s)) as OutputStream<unknown>;
    stream[Symbol.asyncIterator] = () => {
      const reader = new Reader(() => this.readers.delete(reader));
      this.readers.add(reader);
      return reader;
    };
    return stream;
  }
}

/** A named output: an Observable of its values, and an async iterable that back-pressures the run. */
export type OutputStream<T> = Observable<T> & AsyncIterable<T>;

class Reader implements AsyncIterator<unknown> {
  private readonly queue: { value: unknown; taken: () => void }[] = [];
  private waiter: Waiter | undefined;
  private done = false;
  private readonly detach: () => void;

  constructor(detach: () => void) {
    this.detach = detach;
  }

  offer(value: unknown): Promise<void> {
    return new Promise<void>((taken) => {
      if (this.waiter !== undefined) {
        const w = this.waiter;
        this.waiter = undefined;
        w.resolve({ value, done: false });
        taken();
      } else this.queue.push({ value, taken });
    });
  }

  close(): void {
    this.done = true;
    if (this.waiter !== undefined) this.waiter.resolve({ value: undefined, done: true });
    this.waiter = undefined;
  }

  next(): Promise<IteratorResult<unknown>> {
    const head = this.queue.shift();
    if (head !== undefined) {
      head.taken();
      return Promise.resolve({ value: head.value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = { resolve }));
  }

  return(): Promise<IteratorResult<unknown>> {
    this.close();
    this.detach();
    for (const q of this.queue.splice(0)) q.taken();
    return Promise.resolve({ value: undefined, done: true });
  }
}

export function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}

/** Validates an `outputs` entry: it must have `append()` or `push()`. */
export function checkTarget(name: string, target: unknown): OutputTarget {
  if (
    target !== null &&
    typeof target === 'object' &&
    (typeof (target as { append?: unknown }).append === 'function' ||
      typeof (target as { push?: unknown }).push === 'function')
  ) {
    return target as OutputTarget;
  }
  throw new ConsecutionError(
    'OPTIONS_INVALID',
    `outputs.${name} must have an append() or a push() method, got ${typeof target} ${preview(target)}`,
  );
}
