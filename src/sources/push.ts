import { ConsecutionError } from '../errors.js';
import type { SourceReader } from './source.js';

interface Waiting<T> {
  readonly value: T;
  readonly admitted: () => void;
  readonly refused: (e: unknown) => void;
}

/**
 * The source behind `up()` / `push()` / `down()`: values wait here until the run has room for
 * them; each `push()` resolves when its value is admitted.
 */
export class PushReader<T> implements SourceReader<T> {
  position = -1;
  readonly error = undefined;
  /** A value handed to a pending read has resolved its push(): a stop must still take it. */
  readonly closeSettlesRead = true;
  private readonly queue: Waiting<T>[] = [];
  private ended = false;
  private closed = false;
  private wake: ((r: IteratorResult<T, unknown>) => void) | undefined;

  push(value: T): Promise<void> {
    return new Promise<void>((admitted, refused) => {
      if (this.closed) {
        refused(new ConsecutionError('NOT_RUNNING', 'push() after the run ended'));
        return;
      }
      if (this.wake !== undefined) {
        const wake = this.wake;
        this.wake = undefined;
        this.position++;
        wake({ done: false, value });
        admitted();
      } else this.queue.push({ value, admitted, refused });
    });
  }

  end(): void {
    this.ended = true;
    if (this.wake !== undefined && this.queue.length === 0) {
      const wake = this.wake;
      this.wake = undefined;
      wake({ done: true, value: undefined });
    }
  }

  read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
    const head = this.queue.shift();
    if (head !== undefined) {
      this.position++;
      head.admitted();
      return { done: false, value: head.value };
    }
    if (this.ended) return { done: true, value: undefined };
    return new Promise((resolve) => (this.wake = resolve));
  }

  /** The run ended: values still waiting are refused, not silently dropped. */
  close(): void {
    this.closed = true;
    this.end();
    for (const w of this.queue.splice(0)) w.refused(new ConsecutionError('NOT_RUNNING', 'the run ended before this item was admitted'));
  }
}
