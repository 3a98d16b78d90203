import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { ConsecutionError, messageOf } from '../errors.js';
import type { Clock, TimerHandle } from '../types.js';
import type { SourceReader, SourceState } from './source.js';

/** One item of `watchDirectory`: a file that is new or changed, as it was when found stable. */
export interface WatchedFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** What of chokidar 4 the reader uses (it is loaded when the source opens; never imported here). */
export interface Chokidar {
  watch(path: string, options: Record<string, unknown>): ChokidarWatcher;
}
interface ChokidarWatcher {
  on(event: string, listener: (...args: any[]) => void): unknown;
  close(): Promise<void>;
}

/** How a {@link DirectoryReader} watches (validated by watchDirectory). */
export interface WatchSettings {
  /** Absolute. */
  readonly dir: string;
  readonly matches: (relative: string) => boolean;
  readonly recursive: boolean;
  readonly minAgeMs: number;
  readonly existing: boolean;
}

/** A file emitted (or about to be): its size, mtime and the sequence number of its item. */
type Emitted = [size: number, mtimeMs: number, seq: number];

/** The source's state in the run's store. */
interface Saved {
  /** The next sequence number. */
  readonly seq: number;
  /** The highest sequence number admitted (for stores that journal nothing: memory). */
  readonly admitted: number;
  readonly files: Readonly<Record<string, Emitted>>;
}

/** Most files whose intents one state save holds. */
const MAX_TAKE = 1000;
const DONE: IteratorResult<WatchedFile, unknown> = { done: true, value: undefined };

/**
 * The reader of `watchDirectory` (see there for the guarantee). How a file is emitted once:
 * before items are returned, the files and their sequence numbers (the items' positions) are
 * saved in the source's state, and the read returns only once that save is durable. The journal
 * then keeps the last position journaled. After a restart, a file saved with a number up to that
 * position was journaled: it is replayed from the journal, or it completed, and is not emitted
 * again while its (size, mtime) stay the same; a file saved with a higher number never reached
 * the journal and is emitted again.
 */
export class DirectoryReader implements SourceReader<WatchedFile> {
  /** The sequence number of the last item read. */
  position = -1;
  readonly error = undefined;
  readonly closeSettlesRead = true;
  /** Resolves once the directory is watched and the files already there were found (or it failed). */
  readonly ready: Promise<void>;
  private readonly known = new Map<string, Emitted>();
  /** Files seen but not yet unchanged for minAgeMs. */
  private readonly aging = new Map<string, { size: number; mtimeMs: number; timer: TimerHandle }>();
  /** Files found stable, waiting for a read. */
  private readonly due = new Map<string, { size: number; mtimeMs: number }>();
  /** Items whose intents are saved, returned one per read. */
  private taken: { seq: number; file: WatchedFile }[] = [];
  private nextSeq: number;
  private admittedUpTo: number;
  /** Saved with a number past the journal: emitted again if still there. */
  private readonly unjournaled: string[] = [];
  private failure: ConsecutionError | undefined;
  private waiting: { resolve: (r: IteratorResult<WatchedFile, unknown>) => void; reject: (e: unknown) => void } | undefined;
  private watcher: ChokidarWatcher | undefined;
  private closed = false;
  private checkingDir = false;
  private recheckDir = false;
  private scanning: Set<string> | undefined = new Set();

  constructor(
    private readonly settings: WatchSettings,
    private readonly name: string,
    after: unknown,
    private readonly clock: Clock,
    private readonly state: SourceState,
    chokidar: () => Promise<Chokidar>,
  ) {
    const saved = savedOf(state.restore());
    const journaled = Math.max(typeof after === 'number' ? after : -1, saved?.admitted ?? -1);
    for (const [path, emitted] of Object.entries(saved?.files ?? {})) {
      if (emitted[2] <= journaled) this.known.set(path, emitted);
      else this.unjournaled.push(path);
    }
    this.nextSeq = Math.max(saved?.seq ?? 0, journaled + 1);
    this.admittedUpTo = journaled;
    this.ready = this.start(chokidar).catch((e: unknown) => this.fail(`cannot watch ${settings.dir}: ${messageOf(e)}`, e));
  }

  read(): IteratorResult<WatchedFile, unknown> | Promise<IteratorResult<WatchedFile, unknown>> {
    if (this.closed) return DONE;
    const next = this.taken.shift();
    if (next !== undefined) {
      this.position = next.seq;
      return { done: false, value: next.file };
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.due.size > 0) return this.take();
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  admitted(position: unknown): void {
    if (typeof position === 'number' && position > this.admittedUpTo) this.admittedUpTo = position;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const a of this.aging.values()) this.clock.clearTimeout(a.timer);
    this.aging.clear();
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve(DONE);
    await this.watcher?.close();
    // What was admitted since the last save (a store that journals nothing has no other record).
    await this.state.save(this.snapshot()).catch(() => {});
  }

  private async start(load: () => Promise<Chokidar>): Promise<void> {
    const { dir, recursive, existing } = this.settings;
    const s = await stat(dir).catch((e: NodeJS.ErrnoException) => e);
    if (s instanceof Error || !s.isDirectory()) {
      this.fail(`the directory ${dir} ${s instanceof Error && s.code === 'ENOENT' ? 'does not exist' : s instanceof Error ? `cannot be read (${s.message})` : 'is not a directory'}`);
      return;
    }
    const chokidar = await load();
    if (this.closed) return;
    const watcher = chokidar.watch(dir, { ignoreInitial: !existing, alwaysStat: true, persistent: true, ...(recursive ? {} : { depth: 0 }) });
    this.watcher = watcher;
    const seen = (path: string, stats?: Stats) => void this.seen(path, stats);
    watcher.on('add', seen);
    watcher.on('change', seen);
    watcher.on('unlink', (path: string) => this.forget(path));
    watcher.on('unlinkDir', (path: string) => {
      if (path === dir) this.fail(`the directory ${dir} disappeared`);
      else for (const p of [...this.known.keys()]) if (p.startsWith(path + sep)) this.forget(p);
    });
    // An empty directory that is removed gets no unlinkDir: its watch's own 'rename' tells.
    watcher.on('raw', (event: string) => {
      if (event === 'rename') void this.checkDirectory();
    });
    watcher.on('error', (e: unknown) => this.fail(`watching ${dir} failed: ${messageOf(e)}`, e));
    await new Promise<void>((resolve) => watcher.on('ready', resolve));
    const scanned = this.scanning!;
    this.scanning = undefined;
    // Files gone while no run watched are forgotten (only the initial scan can tell).
    if (existing) {
      for (const p of [...this.known.keys()]) if (!scanned.has(p)) this.known.delete(p);
    } else {
      // Not in the initial scan's events: files whose items never reached the journal are found here.
      for (const p of this.unjournaled) await stat(p).then((st) => this.seen(p, st), () => {});
    }
  }

  /** Fails the source if the directory is gone (one look at a time; an event meanwhile asks for another). */
  private async checkDirectory(): Promise<void> {
    if (this.checkingDir) {
      this.recheckDir = true;
      return;
    }
    this.checkingDir = true;
    do {
      this.recheckDir = false;
      const gone = await stat(this.settings.dir).then(
        (st) => !st.isDirectory(),
        (e: NodeJS.ErrnoException) => e.code === 'ENOENT' || e.code === 'ENOTDIR',
      );
      if (gone) this.fail(`the directory ${this.settings.dir} disappeared`);
    } while (this.recheckDir && this.failure === undefined && !this.closed);
    this.checkingDir = false;
  }

  private async seen(path: string, stats: Stats | undefined): Promise<void> {
    if (this.closed) return;
    const st = stats ?? (await stat(path).catch(() => undefined));
    if (st === undefined || !st.isFile()) return;
    if (!this.settings.matches(relative(this.settings.dir, path).split(sep).join('/'))) return;
    this.scanning?.add(path);
    if (this.isKnown(path, st.size, st.mtimeMs)) {
      this.disarm(path);
      return;
    }
    if (this.settings.minAgeMs === 0) this.markDue(path, st.size, st.mtimeMs);
    else this.arm(path, st.size, st.mtimeMs);
  }

  private isKnown(path: string, size: number, mtimeMs: number): boolean {
    const k = this.known.get(path);
    return k !== undefined && k[0] === size && k[1] === mtimeMs;
  }

  /** Waits minAgeMs (on the run's clock) for the file to stay as it is. */
  private arm(path: string, size: number, mtimeMs: number): void {
    this.disarm(path);
    const timer = this.clock.setTimeout(() => void this.check(path), this.settings.minAgeMs);
    this.aging.set(path, { size, mtimeMs, timer });
  }

  private disarm(path: string): void {
    const a = this.aging.get(path);
    if (a === undefined) return;
    this.clock.clearTimeout(a.timer);
    this.aging.delete(path);
  }

  /** minAgeMs after the file was last seen: due if it has not changed since, else it waits again. */
  private async check(path: string): Promise<void> {
    const a = this.aging.get(path);
    if (a === undefined) return;
    const st = await stat(path).catch(() => undefined);
    // Seen again (an event) or forgotten meanwhile: that decides.
    if (this.closed || this.aging.get(path) !== a) return;
    if (st === undefined || !st.isFile()) this.aging.delete(path);
    else if (st.size !== a.size || st.mtimeMs !== a.mtimeMs) this.arm(path, st.size, st.mtimeMs);
    else {
      this.aging.delete(path);
      if (!this.isKnown(path, st.size, st.mtimeMs)) this.markDue(path, st.size, st.mtimeMs);
    }
  }

  private markDue(path: string, size: number, mtimeMs: number): void {
    this.due.set(path, { size, mtimeMs });
    const w = this.waiting;
    if (w === undefined) return;
    this.waiting = undefined;
    this.take().then(w.resolve, w.reject);
  }

  private forget(path: string): void {
    this.known.delete(path);
    this.due.delete(path);
    this.disarm(path);
  }

  /** Numbers the due files, saves them as emitted, and returns the first once that is durable. */
  private async take(): Promise<IteratorResult<WatchedFile, unknown>> {
    for (const [path, { size, mtimeMs }] of this.due) {
      if (this.taken.length >= MAX_TAKE) break;
      this.due.delete(path);
      const seq = this.nextSeq++;
      this.known.set(path, [size, mtimeMs, seq]);
      this.taken.push({ seq, file: { path, size, mtimeMs } });
    }
    try {
      await this.state.save(this.snapshot());
    } catch (e) {
      throw new ConsecutionError('SOURCE_FAILED', `watchDirectory(${this.settings.dir}): cannot save its state: ${messageOf(e)}`, { node: this.name, cause: e });
    }
    return this.read();
  }

  private snapshot(): Saved {
    return { seq: this.nextSeq, admitted: this.admittedUpTo, files: Object.fromEntries(this.known) };
  }

  private fail(message: string, cause?: unknown): void {
    if (this.failure !== undefined || this.closed) return;
    this.failure = new ConsecutionError('SOURCE_FAILED', `watchDirectory(): ${message}`, { node: this.name, ...(cause === undefined ? {} : { cause }) });
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(this.failure);
  }
}

function savedOf(x: unknown): Saved | undefined {
  const s = x as Partial<Saved> | undefined;
  if (s === null || typeof s !== 'object' || typeof s.seq !== 'number' || typeof s.files !== 'object' || s.files === null) return undefined;
  return { seq: s.seq, admitted: typeof s.admitted === 'number' ? s.admitted : -1, files: s.files };
}
