import { ConsecutionError } from '../errors.js';
import type { SourceReader } from '../sources/source.js';
import type { Clock, TimerHandle } from '../types.js';

/**
 * The stop of one run (see `Consecutor.stop()`): asked for once, it gives what is in flight
 * `drainMs` to settle, and closes the run's source reader once, without letting a source that
 * never answers hold the run's end.
 *
 * @example
 * ```ts
 * declare const reader: SourceReader<unknown>;
 * const stopping = new Stopping(systemClock);
 * stopping.request(5_000, () => console.log('drainMs passed: end at once'));
 * stopping.stopReading(reader, false); // at once: no item is read again
 * await stopping.ended(reader);        // at the run's end: waits for that close, not past the deadline
 * ```
 */
export class Stopping {
  /** Whether the run was asked to stop. */
  requested = false;
  /** Whether the stop left a read pending: what it returns is dropped, and its close is not waited for. */
  abandoned = false;
  private timer: TimerHandle | undefined;
  private closing: Promise<void> | undefined;
  private reach: (() => void) | undefined;
  private readonly deadline = new Promise<void>((resolve) => (this.reach = resolve));
  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Starts the drain: `passed` is called once `drainMs` have passed. False if already asked. */
  request(drainMs: number, passed: () => void): boolean {
    if (this.requested) return false;
    this.requested = true;
    this.timer = this.clock.setTimeout(() => {
      this.reach?.();
      passed();
    }, drainMs);
    return true;
  }

  /**
   * At the stop: closes the reader (no item is read again) and says whether the run still waits
   * for the read it has pending. It does only when the close settles that read at once (see
   * `SourceReader.closeSettlesRead`); otherwise the read is abandoned.
   */
  stopReading(reader: SourceReader<unknown> | undefined, reading: boolean): boolean {
    if (reader === undefined) return reading;
    if (reading && reader.closeSettlesRead !== true) this.abandoned = true;
    void this.close(reader);
    return reading && !this.abandoned;
  }

  /** Calls the reader's close() the first time; later calls get the same promise. */
  private close(reader: SourceReader<unknown>): Promise<void> {
    if (this.closing === undefined) {
      try {
        this.closing = Promise.resolve(reader.close());
      } catch (e) {
        this.closing = Promise.reject(e);
      }
      // Awaited at the run's end (unless abandoned): not an unhandled rejection meanwhile.
      if (this.requested) this.closing.catch(() => {});
    }
    return this.closing;
  }

  /**
   * The run is ending: closes the reader if the stop has not, and waits for that (not past the
   * drain deadline once a stop was asked for; not at all behind an abandoned read).
   */
  async ended(reader: SourceReader<unknown> | undefined): Promise<void> {
    try {
      if (reader === undefined || this.abandoned) return;
      const closed = this.close(reader);
      await (this.requested ? Promise.race([closed, this.deadline]) : closed);
    } finally {
      this.clock.clearTimeout(this.timer);
      this.reach?.();
    }
  }
}

/** The run error of a stop whose items did not all settle within drainMs (`left`: undefined when untracked). */
export function drainTimeout(drainMs: number, left: number | undefined, durable: boolean): ConsecutionError {
  const where = durable ? " in the store's journal, and the next run on it replays them first" : '';
  return new ConsecutionError(
    'DRAIN_TIMEOUT',
    left === undefined
      ? `stop(): the run did not end within drainMs=${drainMs}`
      : `stop(): ${left} item(s) did not settle within drainMs=${drainMs}: they stay pending${where}`,
  );
}

/**
 * Stops `run` when `signal` aborts, at once if it already has; the listener goes when the run
 * ends, so a long-lived signal keeps nothing of finished runs.
 */
export function stopOnAbort(signal: AbortSignal, run: { stop(): void; readonly done: Promise<unknown> }): void {
  if (signal.aborted) {
    run.stop();
    return;
  }
  const onAbort = (): void => run.stop();
  signal.addEventListener('abort', onAbort, { once: true });
  const off = (): void => signal.removeEventListener('abort', onAbort);
  run.done.then(off, off);
}
