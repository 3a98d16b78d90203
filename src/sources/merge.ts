import type { FailureRecord } from '../acker/failure.js';
import { ConsecutionError } from '../errors.js';
import { isPromiseLike } from '../stage/promise.js';
import type { Source, SourceContext, SourceLike, SourceReader, SourceState } from './source.js';
import { toSource } from './toSource.js';

/**
 * One input stream made of several: the sources are read side by side (round-robin while each
 * has an item ready, whichever answers first when they are async), and the merged source ends
 * when all have ended. A consecutor has exactly one input; this is how it reads several files,
 * brokers, or other consecutors' outputs. Each item's position is `[sourceIndex, position]`.
 *
 * @example
 * ```ts
 * interface Row { id: number }
 * declare const c: Consecutor<Row, unknown>;
 * declare const january: Row[];
 * declare const february: Row[];
 * declare const otherConsecutor: Consecutor<unknown, Row>;
 * await c.run(merge(fromIterable(january), fromIterable(february), otherConsecutor.output('rows')));
 * ```
 */
export function merge<T>(...sources: SourceLike<T>[]): Source<T> {
  if (sources.length === 0) throw new ConsecutionError('OPTIONS_INVALID', 'merge(): give at least one source');
  const list = sources.map((s) => toSource(s));
  return {
    name: `merge(${list.map((s) => s.name).join(', ')})`,
    open: (_after, context) => new MergeReader(list.map((s, i) => s.open(undefined, context === undefined ? undefined : slice(context, i)))),
  };
}

/**
 * Source `i`'s part of the merged source's context: the same clock and run-end signal, and its own
 * state, kept as element `i` of the merged source's state (an array).
 */
function slice(context: SourceContext, i: number): SourceContext {
  const all = (): unknown[] => {
    const s = context.state.restore();
    return Array.isArray(s) ? [...(s as unknown[])] : [];
  };
  const state: SourceState = {
    restore: () => all()[i],
    save(value) {
      const next = all();
      next[i] = value;
      return context.state.save(next);
    },
  };
  return { clock: context.clock, state, ...(context.signal === undefined ? {} : { signal: context.signal }) };
}

interface Slot<T> {
  readonly reader: SourceReader<T>;
  /** 'idle': may be read; 'waiting': a read is in flight; 'ready': `result` holds an item; 'done'. */
  state: 'idle' | 'waiting' | 'ready' | 'done';
  result: IteratorResult<T, unknown> | undefined;
  position: unknown;
  error: unknown;
  key: string | undefined;
}

class MergeReader<T> implements SourceReader<T> {
  position: unknown = undefined;
  error: unknown = undefined;
  key: string | undefined = undefined;
  private readonly slots: Slot<T>[];
  private next = 0;
  private wake: (() => void) | undefined;
  private failure: { error: unknown } | undefined;

  constructor(readers: SourceReader<T>[]) {
    this.slots = readers.map((reader) => ({ reader, state: 'idle', result: undefined, position: undefined, error: undefined, key: undefined }));
  }

  read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>> {
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    const n = this.slots.length;
    let waiting = false;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const slot = this.slots[i]!;
      if (slot.state === 'idle') this.pull(slot);
      if (slot.state === 'ready') {
        this.next = (i + 1) % n;
        slot.state = 'idle';
        this.position = [i, slot.position];
        this.error = slot.error;
        this.key = slot.key;
        const r = slot.result!;
        slot.result = undefined;
        return { done: false, value: r.value as T };
      }
      if (slot.state === 'waiting') waiting = true;
    }
    if (!waiting) return { done: true, value: undefined };
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => this.read());
  }

  private pull(slot: Slot<T>): void {
    const r = slot.reader.read();
    if (isPromiseLike(r)) {
      slot.state = 'waiting';
      r.then(
        (res) => {
          this.hold(slot, res);
          const wake = this.wake;
          this.wake = undefined;
          wake?.();
        },
        (e: unknown) => {
          this.failure = { error: e };
          const wake = this.wake;
          this.wake = undefined;
          wake?.();
        },
      );
    } else this.hold(slot, r);
  }

  private hold(slot: Slot<T>, r: IteratorResult<T, unknown>): void {
    if (r.done === true) {
      slot.state = 'done';
      return;
    }
    slot.state = 'ready';
    // A reader may reuse its result object: keep a copy.
    slot.result = { done: false, value: r.value };
    slot.position = slot.reader.position;
    slot.error = slot.reader.error;
    slot.key = slot.reader.key;
  }

  admitted(position: unknown, id?: number): void {
    const [i, p] = position as [number, unknown];
    this.slots[i]?.reader.admitted?.(p, id);
  }

  confirm(position: unknown, completed: boolean, deadLetter?: FailureRecord): void {
    const [i, p] = position as [number, unknown];
    this.slots[i]?.reader.confirm?.(p, completed, deadLetter);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map(async (s) => s.reader.close()));
  }
}
