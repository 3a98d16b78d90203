import type { Observable } from 'rxjs';
import type { Node } from '../envelope/envelope.js';
import { ConsecutionError, previewTyped } from '../errors.js';
import type { OutputStream } from '../outputs/channel.js';
import { OutputSet } from '../outputs/set.js';
import { PushReader } from '../sources/push.js';
import type { Source, SourceLike } from '../sources/source.js';
import { toSource } from '../sources/toSource.js';
import { resolveOptions, resolveRunOptions, type ConsecutorOptions, type ResolvedOptions, type RunOptions } from './options.js';
import { metrics$, type MetricsStreamOptions } from './metrics-stream.js';
import type { Metrics, RunReport } from './report.js';
import { Run } from './run.js';
import { stopOnAbort } from './stop.js';
import { MemoryStore } from '../store/memory.js';
import { LmdbStore } from '../store/lmdb.js';

/**
 * Runs a pipeline over one input stream and guarantees, at the level you choose, that every item
 * that entered is completely processed: acked through everything derived from it, retried, or
 * dead-lettered with a record that names the node and the error.
 *
 * @example
 * ```ts
 * const c = new Consecutor(pipe(map((x: number) => x * 2), output('doubled')), {
 *   guarantee: 'replay', retries: 3, outputs: { doubled: [] },
 * });
 * const report = await c.run(fromIterable([1, 2, 3]));
 * report.ok; // true
 * ```
 */
export class Consecutor<I = unknown, O = unknown> {
  private readonly pipeline: Node<I, O>;
  private readonly options: ResolvedOptions;
  /** The outputs of the active run, or of the next one. */
  private outputs: OutputSet;
  private active: Run | undefined;
  private last: Run | undefined;
  /** The run started by up(), and the reader push() feeds it through. */
  private pushed: { readonly run: Run; readonly reader: PushReader<I> } | undefined;
  /** The run stop() was called on, and the promise every stop() of it returns. */
  private stopped: { readonly run: Run; readonly report: Promise<RunReport> } | undefined;

  constructor(pipeline: Node<I, O>, options?: ConsecutorOptions) {
    if (typeof pipeline !== 'function') {
      throw new ConsecutionError(
        'OPTIONS_INVALID',
        `Consecutor: pipeline must be a node (an operator such as map(...) or pipe(...) of them), got ${previewTyped(pipeline)}`,
      );
    }
    this.pipeline = pipeline;
    this.options = resolveOptions(options);
    this.outputs = new OutputSet(this.options.outputs);
  }

  /**
   * Runs the pipeline over `source` until every item is settled and the pipeline has completed.
   * Rejects only on a fatal error (the source failed, a stage broke its contract); item failures
   * are in the report. The pipeline is built on a microtask: outputs asked for with
   * {@link output} synchronously after `run()` are this run's, as those asked for before.
   *
   * @example
   * ```ts
   * interface Row { id: number }
   * declare const c: Consecutor<Row, Row>;
   * declare const rows: Row[];
   * const done = c.run(rows);
   * for await (const r of c.output('valid')) console.log(r); // throws if the run fails
   * const report = await done;
   * ```
   *
   * `signal` stops the run when it aborts, as {@link stop} does (an aborted one: the run reads
   * nothing); the promise then resolves with the report, `stopped: true`.
   *
   * @example
   * ```ts
   * declare const c: Consecutor<number, unknown>;
   * declare function ticks(): AsyncIterable<number>;
   * const report = await c.run(fromAsyncIterable(ticks()), { signal: AbortSignal.timeout(60_000) });
   * ```
   */
  run(source: Source<I> | SourceLike<I>, options?: RunOptions): Promise<RunReport> {
    try {
      const { signal } = resolveRunOptions(options);
      const run = this.begin(toSource(source));
      if (signal !== undefined) stopOnAbort(signal, run);
      return reportOf(run);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Stops the active run gracefully and resolves with its report, the same object `run()` (or
   * `down()`) resolves with, `stopped: true`. The source is not read again (a read in progress is
   * not waited for: what it returns is never admitted) and is closed; replays not yet sent in stay
   * pending. Then the run ends as if its source had ended there: partial batches flush, `reduce`
   * emits what it folded, nodes' `end()` runs. What is in flight gets `drainMs` to settle; past
   * it the run ends at once, the report is not `ok` (a `DRAIN_TIMEOUT` error, and `pending` says
   * how many items are left), and a durable store keeps those items for the next run. Nothing is
   * lost and nothing is dead-lettered by the stop. A second stop() of the same run returns the same
   * promise; with no active run it rejects with `NOT_RUNNING`. A run started with {@link up}
   * stops too: pushes still waiting are refused with `NOT_RUNNING`.
   *
   * @example
   * ```ts
   * declare const c: Consecutor<string, unknown>;
   * declare function events(): AsyncIterable<string>;
   * const done = c.run(fromAsyncIterable(events()));
   * process.once('SIGINT', () => void c.stop());
   * const report = await done; // report.stopped: true after Ctrl-C
   * ```
   */
  stop(): Promise<RunReport> {
    const run = this.active;
    if (run === undefined) {
      return Promise.reject(new ConsecutionError('NOT_RUNNING', 'stop() needs an active run: start one with run() or up()'));
    }
    if (this.stopped?.run !== run) {
      if (this.pushed?.run === run) this.pushed = undefined;
      run.stop();
      this.stopped = { run, report: reportOf(run) };
    }
    return this.stopped.report;
  }

  /**
   * Starts a run fed by {@link push}; end it with {@link down}. Throws `RUN_ACTIVE` while a run is
   * active, and then changes nothing: the active run goes on as before.
   */
  up(): void {
    const reader = new PushReader<I>();
    const run = this.begin({ name: 'push', open: () => reader });
    this.pushed = { run, reader };
  }

  /** Feeds one item to the run started by {@link up}; resolves when the item is admitted (back-pressure). */
  push(value: I): Promise<void> {
    if (this.pushed === undefined) {
      return Promise.reject(new ConsecutionError('NOT_RUNNING', 'push() needs a run started with up()'));
    }
    return this.pushed.reader.push(value);
  }

  /**
   * Ends the input of the run started by {@link up} and resolves with its report once all is
   * settled; rejects with the run's error if it failed, even before down() was called.
   */
  down(): Promise<RunReport> {
    const pushed = this.pushed;
    if (pushed === undefined) {
      return Promise.reject(new ConsecutionError('NOT_RUNNING', 'down() needs a run started with up()'));
    }
    pushed.reader.end();
    this.pushed = undefined;
    return reportOf(pushed.run);
  }

  /**
   * A named output as an Observable, which is also an async iterable (a reader that takes values
   * slowly back-pressures the run). It gives the current run's values, or the next run's if none
   * is active, and completes when that run ends; if the run fails, it errors with the run's error
   * (a `for await` throws it). `default` is what leaves the pipeline's end; `deadLetter` the
   * dead-letter records; any other name must be written by the pipeline, or the stream errors with
   * `OUTPUT_UNKNOWN`: at once when no `output()` stage names it and the pipeline has no user node
   * (only a node's `ctx.write()` could), else at the run's end if nothing wrote to it.
   */
  output<T = unknown>(name: string): OutputStream<T> {
    if (this.outputs.closed) this.outputs = new OutputSet(this.options.outputs);
    return this.outputs.stream(name) as OutputStream<T>;
  }

  /** Counts of the current (or last) run. */
  metrics(): Metrics {
    const run = this.active ?? this.last;
    if (run === undefined) {
      return { running: false, pending: 0, ingested: 0, completed: 0, failed: 0, retried: 0, deadLettered: 0, errors: 0, nodes: {}, rate: 0, blockedMs: 0, replayed: 0 };
    }
    return run.metrics();
  }

  /** {@link metrics$} of this consecutor, timed on its `clock`: a snapshot at once, then every `everyMs` until the run ends. */
  metrics$(options?: MetricsStreamOptions): Observable<Metrics> {
    return metrics$(this, { clock: this.options.clock, ...options });
  }

  private begin(source: Source<unknown>): Run {
    if (this.active !== undefined) {
      throw new ConsecutionError('RUN_ACTIVE', 'this Consecutor is already running: one input stream per consecutor (use merge(...) to combine sources)');
    }
    const store = this.options.store === undefined ? new MemoryStore() : new LmdbStore(this.options.store.path);
    const outputs = this.outputs;
    const run = new Run(source, this.options, outputs, store);
    this.active = run;
    const settle = () => {
      this.last = run;
      if (this.active === run) this.active = undefined;
      if (this.stopped?.run === run) this.stopped = undefined;
      if (this.outputs === outputs) this.outputs = new OutputSet(this.options.outputs);
    };
    run.done.then(settle, settle);
    // Built on a microtask: c.output(name) called right after run() counts for this run.
    queueMicrotask(() => run.start(this.pipeline as Node<unknown, unknown>));
    return run;
  }
}

/**
 * The report of a run as a promise of the caller's own. `run.done` has the consecutor's handlers,
 * so Node would count its rejection as handled; a promise derived from it is unhandled until the
 * caller handles it, and a failed run nobody awaits is reported.
 */
function reportOf(run: Run): Promise<RunReport> {
  return run.done.then((report) => report);
}
