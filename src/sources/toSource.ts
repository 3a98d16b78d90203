import { isObservable } from 'rxjs';
import { ConsecutionError, previewTyped } from '../errors.js';
import { fromAsyncIterable } from './asyncIterable.js';
import { fromIterable } from './iterable.js';
import { isSource, type Source, type SourceLike } from './source.js';

/** Turns anything a run accepts into a {@link Source}; a clear error for anything else. */
export function toSource<T>(input: SourceLike<T>): Source<T> {
  if (isSource(input)) return input;
  if (input !== null && typeof input === 'object') {
    if (isObservable(input)) return fromAsyncIterable(input, { name: 'observable' });
    if (Symbol.asyncIterator in input) return fromAsyncIterable(input);
    if (Symbol.iterator in input) return fromIterable(input);
  }
  throw new ConsecutionError(
    'OPTIONS_INVALID',
    `expected a source (fromIterable(...), fromStdin(), ...), an iterable, an async iterable or an Observable, got ${previewTyped(input)}`,
  );
}
