import { systemClock } from '../clock/system.js';
import type { Metrics } from '../consecutor/report.js';
import type { MetricsSource } from '../consecutor/metrics-stream.js';
import { ConsecutionError, previewTyped } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import type { Clock } from '../types.js';
import { viewLine } from './view-line.js';
import { viewTable } from './view-table.js';

/** What {@link liveView} draws on: a writable stream such as `process.stderr`; a TTY gets the table. */
export interface ViewStream {
  write(text: string): boolean;
  /** True on a terminal: the table is redrawn in place; else plain lines are written. */
  readonly isTTY?: boolean;
  /** The terminal's width. @default 80 */
  readonly columns?: number;
  /** The terminal's height: the table is cut to fit it, so that it can be redrawn in place. */
  readonly rows?: number;
  readonly destroyed?: boolean;
  readonly writableEnded?: boolean;
  once?(event: 'close' | 'error' | 'drain', listener: () => void): unknown;
  off?(event: 'close' | 'error' | 'drain', listener: () => void): unknown;
}

export interface LiveViewOptions {
  /** Where the view is drawn. @default process.stderr */
  readonly stream?: ViewStream;
  /** How often the table is redrawn, or a line written. @default 1000 on a TTY, 5000 elsewhere */
  readonly everyMs?: number;
  /**
   * The clock of its timer and of the elapsed time: give the one the Consecutor has (its `clock`
   * option), so that a test on a `VirtualClock` sees the lines when virtual time says.
   * @default systemClock
   */
  readonly clock?: Clock;
}

/** A live view started by {@link liveView}. */
export interface LiveView {
  /** Draws the state once more (unless the view has stopped already) and stops. */
  stop(): void;
}

const KNOWN = ['stream', 'everyMs', 'clock'];
const ESC = '\u001b[';

/**
 * Shows a run as it goes. On a terminal (`stream.isTTY`): a table redrawn in place every
 * `everyMs`, a header with the run's totals (and a progress bar when the source knows its
 * length), then per node its counts, rate, a busy bar, what is in flight and queued, failures, and
 * its oldest item (see {@link viewTable}); it fits `stream.columns` and never wraps. Elsewhere
 * (a log, CI): one plain line every `everyMs` with the run's totals and its busiest node (see
 * {@link viewLine}). When the run ends the view draws the final state once and stops by itself;
 * until then its timer keeps the process alive. Drawing never throws into the run: a stream that
 * closes or fails stops the view. Elapsed time counts from the call. The table is redrawn by
 * moving the cursor up over the last frame: while it is shown, let nothing else write to the
 * terminal (log to a file, or run without the view), or lines of old frames stay behind.
 *
 * @example
 * ```ts
 * const c = new Consecutor(map((x: number) => x * 2));
 * const view = liveView(c); // on process.stderr
 * const report = await c.run([1, 2, 3]);
 * view.stop(); // the run ended between two frames: draws the final state now
 * ```
 */
export function liveView(c: MetricsSource, options: LiveViewOptions = {}): LiveView {
  if (typeof (c as Partial<MetricsSource> | null)?.metrics !== 'function') {
    throw new ConsecutionError('OPTIONS_INVALID', `liveView(): the first argument must be a Consecutor (with metrics()), got ${previewTyped(c)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConsecutionError('OPTIONS_INVALID', `liveView(): options must be an object, got ${previewTyped(options)}`);
  }
  rejectUnknown('liveView()', options, KNOWN);
  const read = optionReader(options, (key) => `liveView() option ${key}`);
  const stream = options.stream ?? process.stderr;
  if (typeof (stream as Partial<ViewStream> | null)?.write !== 'function') read.bad('stream', 'a writable stream', stream);
  const clock = options.clock ?? systemClock;
  if (typeof (clock as Partial<Clock> | null)?.setInterval !== 'function' || typeof clock.now !== 'function') {
    read.bad('clock', 'a Clock (now, setInterval, clearInterval, ...)', clock);
  }
  const tty = stream.isTTY === true;
  const everyMs = read.timeout('everyMs', tty ? 1_000 : 5_000);
  return startView(c, stream, clock, tty, everyMs);
}

/** What tells a run's snapshot from another's when the view never saw it running. */
function signature(m: Metrics): string {
  return JSON.stringify([m.ingested, m.completed, m.failed, m.retried, m.deadLettered, m.errors, m.pending, Object.keys(m.nodes)]);
}

function startView(c: MetricsSource, stream: ViewStream, clock: Clock, tty: boolean, everyMs: number): LiveView {
  const started = clock.now();
  const first = c.metrics();
  const before = signature(first);
  let seen = first.running;
  let drawn = 0;
  let waiting = false;
  let stopped = false;

  const write = (text: string): void => {
    if (stream.destroyed === true || stream.writableEnded === true) return end();
    if (!stream.write(text) && stream.once !== undefined) {
      waiting = true;
      stream.once('drain', onDrain);
    }
  };
  const draw = (m: Metrics, last: boolean): void => {
    if (waiting && !last) return;
    const elapsedMs = clock.now() - started;
    if (!tty) return write(`${viewLine(m, elapsedMs)}\n`);
    const lines = viewTable(m, { width: stream.columns ?? 80, height: stream.rows, elapsedMs });
    const up = drawn > 0 ? `${ESC}${drawn}A\r` : '';
    drawn = lines.length;
    write(`${up}${lines.map((l) => `${ESC}2K${l}\n`).join('')}${ESC}J`);
  };
  const tick = (): void => {
    if (stopped) return;
    try {
      const m = c.metrics();
      if (m.running) seen = true;
      const ended = !m.running && (seen || signature(m) !== before);
      draw(m, ended);
      if (ended) end();
    } catch {
      end();
    }
  };
  const onDrain = (): void => {
    waiting = false;
  };
  const onClose = (): void => end();
  const timer = clock.setInterval(tick, everyMs);
  stream.once?.('close', onClose);
  stream.once?.('error', onClose);

  function end(): void {
    if (stopped) return;
    stopped = true;
    clock.clearInterval(timer);
    stream.off?.('close', onClose);
    stream.off?.('error', onClose);
    stream.off?.('drain', onDrain);
  }

  if (tty) {
    try {
      draw(first, false);
    } catch {
      end();
    }
  }
  return {
    stop(): void {
      if (stopped) return;
      try {
        draw(c.metrics(), true);
      } catch {
        // The view is going away: a stream that broke meanwhile changes nothing.
      }
      end();
    },
  };
}
