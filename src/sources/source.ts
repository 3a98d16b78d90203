import type { FailureRecord } from '../acker/failure.js';
import type { Clock } from '../types.js';

/**
 * Where a run's items come from. A source is opened once per run; its reader is pulled by the
 * consecutor, which stops pulling while `maxPending` items are in flight (back-pressure).
 *
 * @example
 * ```ts
 * const numbers: Source<number> = fromIterable([1, 2, 3]);
 * ```
 */
export interface Source<T> {
  /** The source's name in errors and failure records. */
  readonly name: string;
  /**
   * Opens the source. `after` is the position of the last item a durable run journaled: a source
   * that can resume (an iterable by index, a file by byte offset) starts after it; others ignore it.
   * `context` gives the run's clock and the source's own persistent state (see SourceContext).
   */
  open(after?: unknown, context?: SourceContext): SourceReader<T>;
  /**
   * Parses raw input of this source again: input that failed its parsing (`BAD_INPUT`, such as a
   * malformed NDJSON line), was dead-lettered with its raw text as item, and was redriven with
   * `includeBadInput`. The next run sends it through here first: what the parsing now accepts
   * enters as `value`; the rest fails again with `error`. A source without `parse` fails such
   * input again (`BAD_INPUT`), as it cannot parse it.
   */
  parse?(raw: unknown): Parsed<T>;
}

/**
 * What a run hands a source when it opens it: the run's clock (a timed source sets its timers on
 * it, so that tests run it on virtual time) and the source's own state, kept in the run's store
 * (durable on LMDB: it survives a restart; in memory otherwise). A source keeps there what its
 * position cannot say, such as the files of a directory that were completed.
 *
 * @example
 * ```ts
 * const ticks: Source<number> = {
 *   name: 'ticks',
 *   open(_after, context) {
 *     let n = (context?.state.restore() as number | undefined) ?? 0;
 *     return {
 *       position: undefined,
 *       error: undefined,
 *       read: () => (n < 3 ? { done: false, value: n++ } : { done: true, value: undefined }),
 *       confirm: () => void context?.state.save(n),
 *       close() {},
 *     };
 *   },
 * };
 * ```
 */
export interface SourceContext {
  readonly clock: Clock;
  readonly state: SourceState;
  /**
   * Aborted when the run ends (after its last item settled, at drainMs after a stop, or on a
   * fatal error), just before the reader's `close()` is awaited: a source that answers clients
   * (HTTP) answers what is still waiting and lets go of its server then. A run always sets it;
   * it is optional only so that a source can be opened by hand.
   */
  readonly signal?: AbortSignal;
}

/**
 * A source's persistent state: one value, saved whole (see {@link SourceContext}). `save` resolves
 * once it is durable; saves made in one event-loop turn may share one commit.
 *
 * @example
 * ```ts
 * declare const state: SourceState;
 * const seen = new Set((state.restore() as string[] | undefined) ?? []);
 * seen.add('a.csv');
 * await state.save([...seen]);
 * ```
 */
export interface SourceState {
  /** The value last saved, by this run or an earlier one on the same store; undefined if none. */
  restore(): unknown;
  save(value: unknown): Promise<void>;
}

/**
 * What a source's {@link Source.parse} makes of raw input: the item, or why it is not one.
 *
 * @example
 * ```ts
 * const parsed = fromFile('events.ndjson', { format: 'ndjson' }).parse!('{"n":1}'); // { value: { n: 1 } }
 * if ('error' in parsed) console.error(parsed.error);
 * ```
 */
export type Parsed<T> = { readonly value: T } | { readonly error: unknown };

/** How far a source is read: `done` of `total` items or bytes. */
export interface SourceProgress {
  readonly done: number;
  readonly total: number;
  readonly unit: 'items' | 'bytes';
}

/**
 * An open source. `read()` is never called again before its last promise settled, so a reader
 * may describe the item it just returned in `position` and `error`.
 */
export interface SourceReader<T> {
  /** The next item now, or a promise of it. */
  read(): IteratorResult<T, unknown> | Promise<IteratorResult<T, unknown>>;
  /** Where the last item came from (an index, a line number, a broker message). */
  readonly position: unknown;
  /** Set when the last item is bad input (a malformed line): it is admitted and failed with this. */
  readonly error: unknown;
  /**
   * The last item's identity outside this process, when the source has one: a broker message's
   * idempotency key (a header an upstream sink wrote), or its stream and sequence. The item's
   * copies then get idempotency keys (`meta.key`) made from it instead of the lineage id, which is
   * local to a run: every process that handles the message (copies of a pipeline sharing a
   * consumer group, a restart) gives its copies the same keys, so that a sink downstream drops a
   * redelivered duplicate. Read right after `read()`, like `position`; journaled with the item.
   */
  readonly key?: string | undefined;
  /**
   * The text the last item was parsed from (an NDJSON line, a JSON body), when the source parsed
   * it from text and its {@link Source.parse} makes an equal value of that text again. A durable
   * store then journals the text instead of the value (far cheaper to write than an object
   * graph), and a restart parses it again through `parse`; a text that no longer parses fails
   * its item (`BAD_INPUT`), as redriven bad input does. Read right after `read()`, like
   * `position`; left undefined for an item that is no parse of text (or is its own text: a
   * `lines` item), and for bad input.
   */
  readonly raw?: string | undefined;
  /**
   * Called once per item read when it is admitted: after its journal commit on a durable store (it
   * survives a kill from then on), at once otherwise. An HTTP source answers 202 here. `id` is the
   * item's lineage id (the `root` of its failure records and of the `meta` sinks get; stable across
   * restarts on a durable store), -1 under `guarantee: 'none'`, which tracks nothing. The run
   * always passes it (optional so that older wrappers compile; a wrapper should pass it on).
   */
  admitted?(position: unknown, id?: number): void;
  /**
   * Called once per item when it is settled: completed, or given up (dead-lettered), then with its
   * dead-letter record (an HTTP source answers 422 with it).
   */
  confirm?(position: unknown, completed: boolean, deadLetter?: FailureRecord): void;
  /** Releases the source; called once: when the run ends, or at once when it is stopped. */
  close(): void | Promise<void>;
  /**
   * How far the source is read, when it knows how much it holds (an array: items; a file: bytes):
   * the live view's progress bar and `metrics().progress`. Read at snapshot time only.
   */
  progress?(): SourceProgress | undefined;
  /**
   * True when `close()` settles a pending read at once, and an item that read returns was already
   * handed over for good (`push()` resolved): a stopped run then takes that item. Otherwise a stop
   * does not wait for a pending read (an endless source may never answer): what it returns later
   * is dropped, never admitted, and a resumable source gives it again to the next run.
   */
  readonly closeSettlesRead?: boolean;
}

/** Anything a run accepts as input: a source, an iterable, an async iterable or an Observable. */
export type SourceLike<T> = Source<T> | Iterable<T> | AsyncIterable<T> | import('rxjs').Observable<T>;

/** Whether `x` is a {@link Source}. */
export function isSource(x: unknown): x is Source<unknown> {
  return (
    x !== null &&
    typeof x === 'object' &&
    typeof (x as { open?: unknown }).open === 'function' &&
    typeof (x as { name?: unknown }).name === 'string'
  );
}
