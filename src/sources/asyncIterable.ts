import { from } from 'ix/asynciterable/asynciterablex';
import type { Observable } from 'rxjs';
import type { Source, SourceReader } from './source.js';

/** Options of {@link fromAsyncIterable}. */
export interface AsyncIterableSourceOptions {
  /** The source's name in errors. @default 'async iterable' */
  readonly name?: string;
}

/**
 * A source that reads an async iterable (a stream, an async generator, an ix AsyncIterableX, a
 * consecutor's `output()`), or an Observable (buffered through ix). The next value is pulled only
 * when the run has room for it.
 *
 * @example
 * ```ts
 * declare function fetchPage(n: number): Promise<string[]>;
 * declare const pipeline: Node<string, unknown>;
 * async function* pages() { for (let p = 1; p <= 3; p++) yield* await fetchPage(p) }
 * await new Consecutor(pipeline).run(fromAsyncIterable(pages()));
 * ```
 */
export function fromAsyncIterable<T>(
  items: AsyncIterable<T> | Observable<T>,
  options: AsyncIterableSourceOptions = {},
): Source<T> {
  const name = options.name ?? 'async iterable';
  return {
    name,
    open: () => {
      const iterable: AsyncIterable<T> = Symbol.asyncIterator in items ? items : from(items);
      return new AsyncReader(iterable[Symbol.asyncIterator]());
    },
  };
}

class AsyncReader<T> implements SourceReader<T> {
  position = -1;
  readonly error = undefined;
  private readonly it: AsyncIterator<T>;

  constructor(it: AsyncIterator<T>) {
    this.it = it;
  }

  read(): Promise<IteratorResult<T, unknown>> {
    this.position++;
    return this.it.next();
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}
