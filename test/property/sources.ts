import type { Source, SourceReader } from 'consecution';

/** One `confirm(position, completed)` call, and whether the reader was already closed then. */
export interface Confirmation {
  readonly position: unknown;
  readonly completed: boolean;
  readonly afterClose: boolean;
}

/** A source over `items` (position = index) that records every confirm and close. */
export interface RecordingSource<T> extends Source<T> {
  readonly confirms: Confirmation[];
  /** How many times the reader was opened and closed. */
  readonly opened: number;
  readonly closed: number;
}

/**
 * A source over an array whose reader records what the consecutor confirms. `asyncReads[i]`
 * (cycled) says whether the i-th read answers with a promise; `onRead(i)` is called on each read.
 */
export function recordingSource<T>(
  items: readonly T[],
  asyncReads: readonly boolean[] = [false],
  onRead: (index: number) => void = () => {},
): RecordingSource<T> {
  const confirms: Confirmation[] = [];
  const state = { opened: 0, closed: 0 };
  return {
    name: 'recording',
    confirms,
    get opened() {
      return state.opened;
    },
    get closed() {
      return state.closed;
    },
    open(): SourceReader<T> {
      state.opened++;
      let next = 0;
      const reader = {
        position: -1 as unknown,
        error: undefined as unknown,
        read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
          const i = next++;
          onRead(i);
          const r: IteratorResult<T, unknown> = i < items.length ? { done: false, value: items[i]! } : { done: true, value: undefined };
          if (i < items.length) reader.position = i;
          return asyncReads[i % Math.max(1, asyncReads.length)] === true ? Promise.resolve(r) : r;
        },
        confirm(position: unknown, completed: boolean): void {
          confirms.push({ position, completed, afterClose: state.closed > 0 });
        },
        close(): void {
          state.closed++;
        },
      };
      return reader;
    },
  };
}

/** Rejects if `p` has not settled within `ms`: a hung run fails its property instead of the suite. */
export function within<T>(p: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms: ${what()}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
