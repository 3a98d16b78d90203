import { basename, resolve } from 'node:path';
import { systemClock } from '../clock/system.js';
import { loadOptional } from '../connectors/optional.js';
import { ConsecutionError, previewTyped } from '../errors.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import { pathMatcher } from './glob.js';
import type { Source, SourceState } from './source.js';
import { DirectoryReader, type Chokidar, type WatchedFile } from './watch-reader.js';

/** Options of {@link watchDirectory}. */
export interface WatchOptions {
  /** Only files whose path relative to the directory matches (a glob, see {@link pathMatcher}, or a RegExp). @default every file */
  readonly pattern?: string | RegExp;
  /** Watch the subdirectories too, at any depth. @default false */
  readonly recursive?: boolean;
  /**
   * A file is emitted once it has not changed (size and mtime) for this long, on the run's clock:
   * a file still being written (copied in, uploaded) is not read half-written. 0: as soon as seen,
   * for writers that rename a finished file into place.
   * @default 0
   */
  readonly minAgeMs?: number;
  /** Emit the files already there when the watch starts (else only those that appear or change later). @default true */
  readonly existing?: boolean;
  /** The source's name in errors, and the key of its state in the store. @default the directory's name */
  readonly name?: string;
}

/**
 * A source of one item `{ path, size, mtimeMs }` (an absolute path) per new or changed file in
 * `dir`, watched with chokidar 4 (`npm install chokidar`; loaded when the source opens). It runs
 * until the run is stopped (`c.stop()`, or the run's `signal`).
 *
 * Guarantee, with a durable store: a file is emitted once per (path, size, mtime). A file whose
 * item was journaled is not emitted again, after a restart either: it completed, or it is replayed
 * from the journal; one that was found but not yet journaled when the process was killed is
 * emitted again. A file that changes gets a new item. The files emitted are kept in the source's
 * state in the store (`source:<name>`), one entry per file present: delete or move processed files
 * out of the directory to keep it small.
 *
 * `minAgeMs` holds a file back until it has stayed unchanged that long (timers on the run's
 * clock). A directory that does not exist when the run starts, or that disappears (deleted,
 * unmounted) while it runs, fails the run with `SOURCE_FAILED` naming it: a watcher that waited
 * silently would hide the mistake. What was in flight stays in the journal for the next run.
 *
 * @example
 * ```ts
 * declare const work: Node<FileContent<string>, unknown>;
 * const c = new Consecutor(pipe(readFile(), work), { guarantee: 'replay', store: { path: './state' } });
 * const done = c.run(watchDirectory('inbox', { pattern: '*.csv', minAgeMs: 2_000 }));
 * // later: const report = await c.stop();
 * ```
 */
export function watchDirectory(dir: string, options: WatchOptions = {}): Source<WatchedFile> {
  if (typeof dir !== 'string' || dir.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `watchDirectory(): expected a directory, got ${previewTyped(dir)}`);
  }
  rejectUnknown('watchDirectory()', options, ['pattern', 'recursive', 'minAgeMs', 'existing', 'name']);
  const r = optionReader(options, (key) => `watchDirectory(): ${key}`);
  const { pattern, recursive = false, existing = true } = options;
  if (pattern !== undefined && !(pattern instanceof RegExp) && (typeof pattern !== 'string' || pattern.length === 0)) r.bad('pattern', 'a glob or a RegExp', pattern);
  if (typeof recursive !== 'boolean') r.bad('recursive', 'true or false', recursive);
  if (typeof existing !== 'boolean') r.bad('existing', 'true or false', existing);
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) r.bad('name', 'a non-empty string', options.name);
  const settings = {
    dir: resolve(dir),
    matches: pattern === undefined ? () => true : pathMatcher(pattern),
    recursive,
    minAgeMs: r.integer('minAgeMs', 0, 0),
    existing,
  };
  const name = options.name ?? basename(settings.dir);
  return {
    name,
    open: (after, context) =>
      new DirectoryReader(settings, name, after, context?.clock ?? systemClock, context?.state ?? memoryState(), () =>
        loadOptional<Chokidar>('chokidar', 'watchDirectory'),
      ),
  };
}

/** The state of a source opened without a run's context: kept in memory. */
function memoryState(): SourceState {
  let value: unknown;
  return {
    restore: () => value,
    save: async (v) => void (value = v),
  };
}
