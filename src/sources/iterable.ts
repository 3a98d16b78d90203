import type { Source, SourceProgress, SourceReader } from './source.js';

/** Options of {@link fromIterable}. */
export interface IterableSourceOptions {
  /** The source's name in errors. @default 'iterable' */
  readonly name?: string;
}

/**
 * A source that reads a synchronous iterable (an array, a Set, a generator). Each item's position
 * is its index. An array is read by index, allocating nothing per item. Resumable: a durable run
 * restarted on its store resumes after the last index it journaled (the iterable must give the
 * same items in the same order again).
 *
 * @example
 * ```ts
 * interface Row { id: number }
 * declare const pipeline: Node<Row, unknown>;
 * declare const rows: Row[];
 * const report = await new Consecutor(pipeline).run(fromIterable(rows));
 * ```
 */
export function fromIterable<T>(items: Iterable<T>, options: IterableSourceOptions = {}): Source<T> {
  const name = options.name ?? 'iterable';
  return {
    name,
    open: (after?: unknown) => {
      const skip = typeof after === 'number' && Number.isInteger(after) ? after + 1 : 0;
      return Array.isArray(items) ? new ArrayReader(items as readonly T[], skip) : new IteratorReader(items[Symbol.iterator](), skip);
    },
  };
}

class ArrayReader<T> implements SourceReader<T> {
  position = -1;
  readonly error = undefined;
  // One result object, reused: the consecutor reads it before it calls read() again.
  private readonly result = { done: false, value: undefined as T };
  private readonly items: readonly T[];

  constructor(items: readonly T[], skip: number) {
    this.items = items;
    this.position = skip - 1;
  }

  read(): IteratorResult<T, unknown> {
    const i = ++this.position;
    if (i >= this.items.length) return { done: true, value: undefined };
    this.result.value = this.items[i]!;
    return this.result;
  }

  close(): void {}

  progress(): SourceProgress {
    return { done: Math.min(this.position + 1, this.items.length), total: this.items.length, unit: 'items' };
  }
}

class IteratorReader<T> implements SourceReader<T> {
  position = -1;
  readonly error = undefined;
  private readonly it: Iterator<T>;

  constructor(it: Iterator<T>, skip: number) {
    this.it = it;
    for (; this.position < skip - 1; this.position++) if (it.next().done === true) break;
  }

  read(): IteratorResult<T, unknown> {
    this.position++;
    return this.it.next();
  }

  close(): void {
    this.it.return?.();
  }
}
