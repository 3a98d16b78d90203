import {
  BatchAnchor,
  callOrFail,
  ConsecutionError,
  Envelope,
  FAILED,
  named,
  operate,
  previewTyped,
  requireFunction,
  type Node,
} from '../src/core.js';

/**
 * What chunk() takes: `T`, or anything when nothing gave `T`. Its batches are then `never[]`, an
 * array that any later stage accepts as the batch it declares.
 */
type ItemOf<T> = [T] extends [never] ? unknown : T;

/**
 * Groups values into arrays: of `size` values (bufferCount semantics), or, given a function, of
 * consecutive values with the same key (a new batch starts when the key changes). The partial
 * batch is emitted when the input completes, and, inside a consecutor, as soon as the source is
 * drained, so that no item waits for a batch that will never fill. A batch is anchored to all of
 * its items: acking it acks them all, failing it fails them all.
 *
 * The item type comes from the stage before, or from a key function's parameter. As the first
 * stage, given a size, it comes from the stage after: the batch is what that stage takes (below,
 * `Row[]`), and the input is anything; `chunk<Row>(500)` types the input too.
 *
 * @example
 * ```ts
 * interface Row { id: number }
 * declare const db: { insert(rows: Row[]): Promise<void> };
 * const p = pipe(chunk('rows', 500), node('insert', { async process(rows: Row[]) { await db.insert(rows) } }));
 * ```
 * @see flatten
 */
export function chunk<T = never>(by: number | ((value: T) => unknown)): Node<ItemOf<T>, T[]>;
export function chunk<T = never>(name: string, by: number | ((value: T) => unknown)): Node<ItemOf<T>, T[]>;
export function chunk<T>(
  first: string | number | ((value: T) => unknown),
  second?: number | ((value: T) => unknown),
): Node<T, T[]> {
  const [name, by] = named('chunk', first, second);
  const size = typeof by === 'number' ? by : Infinity;
  const keyOf = typeof by === 'function' ? requireFunction('chunk', 'the key function', by) : undefined;
  if (keyOf === undefined && (!Number.isInteger(size) || size < 1)) {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      `chunk(): expected a batch size (an integer >= 1) or a key function, got ${previewTyped(by)}`,
    );
  }
  return operate<T, T[]>('chunk', name, (h, stats) => (out) => {
    let parts: Envelope<unknown>[] = [];
    let values: T[] = [];
    let key: unknown;
    // Whether any item of the batch is tracked: only then does the batch need a BatchAnchor.
    let tracked = false;
    let scheduled: ReturnType<typeof setImmediate> | undefined;
    const flush = () => {
      if (scheduled !== undefined) clearImmediate(scheduled);
      scheduled = undefined;
      if (parts.length === 0) return;
      const batch = values;
      const anchor = tracked ? new BatchAnchor(parts) : h.untracked;
      tracked = false;
      parts = [];
      values = [];
      // A fresh anchor's first edge need not be random (as a root's, see Acker.rearm): being
      // fixed, it gives the batch's copies keys derived from its items' (outputs/meta.ts).
      anchor.addEdge(0, 1, 0);
      stats.emitted++;
      out.next(new Envelope(batch, anchor, 0, 1, 0));
    };
    h.onDrain(flush);
    return {
      next(env) {
        stats.received++;
        if (keyOf !== undefined) {
          const k = callOrFail(stats, env, keyOf, env.value);
          if (k === FAILED) return;
          if (parts.length > 0 && !Object.is(k, key)) flush();
          key = k;
        }
        parts.push(env);
        values.push(env.value);
        tracked ||= env.anchor.tracked;
        if (parts.length >= size) flush();
        else if (h.drained && scheduled === undefined) scheduled = setImmediate(flush);
      },
      complete() {
        flush();
        out.complete();
      },
      finalize() {
        if (scheduled !== undefined) clearImmediate(scheduled);
        parts = [];
        values = [];
      },
    };
  });
}
