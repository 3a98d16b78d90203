import { createReadStream } from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConsecutionError, preview } from '../errors.js';
import type { WriteMeta } from '../outputs/meta.js';
import type { LineFormat } from '../sources/line-format.js';
import { optionReader, rejectUnknown } from '../stage/args.js';
import { fsReason, syncDirectory, writeAll } from './fs-durable.js';
import { GroupCommit } from './group-commit.js';
import { encodeLine } from './line-encoding.js';
import { RotatedNames, rotationOf, type RotateOptions, type Rotation } from './rotation.js';

/** Options of {@link toFile}. */
export interface FileSinkOptions {
  /** `ndjson`: each value as a line of JSON; `lines`: strings (numbers, booleans) as they are. @default 'ndjson' */
  readonly format?: LineFormat;
  /** Confirm a batch once it is fsync'd (survives a power loss), not only written (survives a kill of the process). @default true */
  readonly fsync?: boolean;
  /** Start a new file past so many bytes or lines (see {@link RotateOptions}). @default no rotation */
  readonly rotate?: RotateOptions;
}

/** An output target writing one line per value: {@link toFile}, {@link toStdout}. */
export interface LineTarget<T = unknown> {
  /** Resolves once the line is confirmed (see the target's own guarantee). */
  append(value: T, meta?: WriteMeta): Promise<void>;
  open(): Promise<void>;
  /** Waits for the appends made so far, then releases the file or stream. */
  close(): Promise<void>;
}

/** The most bytes (as string length) handed to one write call: a batch of big lines goes in several. */
const CHUNK_CHARS = 1 << 20;

/**
 * An output target appending one line per value to the file `path` (created if absent; its
 * directory must exist). Appends are group-committed: those made while a batch is being written
 * go together in the next one, and each batch is one write and **one fsync**; each append resolves
 * once its batch is fsync'd (with `fsync: false`, once it is written). So an item is acked only
 * when its line is on disk: after a kill -9, or a power loss, every confirmed line is in the file,
 * whole. Lines of a batch not yet confirmed may be there too, and are written again when their
 * items are replayed (at-least-once).
 *
 * `open()` opens the file before the run reads anything: a directory that does not exist fails the
 * run with `OUTPUT_FAILED` naming the path. A value that cannot be a line (`BAD_INPUT`: not
 * JSON-able, or in `lines` a string with a line break) fails its item alone. A write that fails
 * (disk full) fails its batch's items, and the file is cut back to where the batch began.
 *
 * With `rotate`, the file is renamed `<name>.<n><ext>` (n = 1, 2, ...: see {@link RotatedNames})
 * once it holds `rotate.bytes` bytes or `rotate.items` lines, and a new one is started at `path`;
 * the old file is fsync'd first and the rename made durable (one fsync more per rotation).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<string, unknown>;
 * const c = new Consecutor(pipeline, {
 *   guarantee: 'replay',
 *   outputs: { default: toFile('out/events.ndjson', { rotate: { bytes: 64 << 20 } }), deadLetter: toFile('out/dead.ndjson') },
 * });
 * ```
 */
export function toFile<T = unknown>(path: string, options: FileSinkOptions = {}): LineTarget<T> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `toFile(): expected a file path, got ${preview(path)}`);
  }
  if (options === null || typeof options !== 'object') optionReader({}, () => 'toFile(): options').bad('options', 'an object', options);
  rejectUnknown('toFile()', options, ['format', 'fsync', 'rotate']);
  const r = optionReader(options, (key) => `toFile(): ${key}`);
  const format = r.oneOf('format', ['ndjson', 'lines'], 'ndjson');
  if (options.fsync !== undefined && typeof options.fsync !== 'boolean') r.bad('fsync', 'true or false', options.fsync);
  return new FileSink<T>(path, format, options.fsync ?? true, rotationOf(options.rotate));
}

class FileSink<T> implements LineTarget<T> {
  private readonly who: string;
  private readonly group: GroupCommit<string>;
  private readonly names: RotatedNames | undefined;
  private opening: Promise<FileHandle> | undefined;
  /** Bytes and lines in the current file (lines counted only when rotating by items). */
  private bytes = 0;
  private lines = 0;

  constructor(
    private readonly path: string,
    private readonly format: LineFormat,
    private readonly fsync: boolean,
    private readonly rotation: Rotation | undefined,
  ) {
    this.who = `toFile(${JSON.stringify(path)})`;
    this.group = new GroupCommit((batch) => this.commit(batch));
    this.names = rotation === undefined ? undefined : new RotatedNames(path);
  }

  append(value: T): Promise<void> {
    // Encoded here, so that a value that cannot be a line fails alone, not its batch.
    return this.group.append(encodeLine(value, this.format, this.who));
  }

  async open(): Promise<void> {
    await this.handle();
  }

  async close(): Promise<void> {
    await this.group.drain();
    const opening = this.opening;
    this.opening = undefined;
    const fh = await opening?.catch(() => undefined);
    await fh?.close();
  }

  /** The open file, opened on first need (a target used outside a run has no open() call). */
  private handle(): Promise<FileHandle> {
    if (this.opening === undefined) {
      const opening = this.openFile();
      this.opening = opening;
      // A failed open is tried again by the next append or open().
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  private async openFile(): Promise<FileHandle> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'a+');
    } catch (e) {
      throw new ConsecutionError('OUTPUT_FAILED', `${this.who}: cannot open ${this.path}: ${await fsReason(e, this.path)}`, { cause: e });
    }
    try {
      this.bytes = (await fh.stat()).size;
      await this.endLastLine(fh);
      this.lines = this.rotation !== undefined && this.rotation.items !== Infinity ? await countLines(this.path) : 0;
      return fh;
    } catch (e) {
      await fh.close().catch(() => {});
      throw e;
    }
  }

  /**
   * A file that does not end with a line break (a batch torn by a crash of the machine, or a
   * file of someone else's) gets one, so that the next line starts on a line of its own.
   */
  private async endLastLine(fh: FileHandle): Promise<void> {
    if (this.bytes === 0) return;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, this.bytes - 1);
    if (last[0] === 10) return;
    await writeAll(fh, Buffer.from('\n'));
    this.bytes++;
  }

  /** One batch: written in chunks of whole lines (rotating between them if due), then one fsync. */
  private async commit(batch: readonly string[]): Promise<void> {
    let fh = await this.handle();
    let batchStart = this.bytes;
    try {
      for (let i = 0; i < batch.length; ) {
        const end = this.fitting(batch, i);
        if (end === i) {
          fh = await this.rotate(fh);
          batchStart = 0;
          continue;
        }
        const bytes = Buffer.from(i === 0 && end === batch.length ? batch.join('') : batch.slice(i, end).join(''));
        await writeAll(fh, bytes);
        this.bytes += bytes.length;
        this.lines += end - i;
        i = end;
      }
      if (this.fsync) await fh.sync();
    } catch (e) {
      // Cut the torn batch off: its items fail and are written again when replayed.
      await fh.truncate(batchStart).then(
        () => void (this.bytes = batchStart),
        () => {},
      );
      throw new ConsecutionError('OUTPUT_FAILED', `${this.who}: cannot write ${this.path}: ${await fsReason(e, this.path)}`, { cause: e });
    }
  }

  /**
   * The end of the lines from `from` that go in the next write: as many as fit in the current
   * file under the rotation limits and in one chunk. `from` itself when none fits (rotate first);
   * never fewer than one line in an empty file.
   */
  private fitting(batch: readonly string[], from: number): number {
    const rotation = this.rotation;
    const byBytes = rotation !== undefined && rotation.bytes !== Infinity;
    let chars = 0;
    let bytes = this.bytes;
    let i = from;
    for (; i < batch.length && chars < CHUNK_CHARS; i++) {
      const line = batch[i]!;
      const length = byBytes ? Buffer.byteLength(line) : 0;
      // A line always goes in an empty file, however long.
      if (rotation !== undefined && !(this.bytes === 0 && i === from)) {
        if (this.lines + (i - from) >= rotation.items || (byBytes && bytes + length > rotation.bytes)) break;
      }
      bytes += length;
      chars += line.length;
    }
    return i;
  }

  /** Closes the full file (fsync'd), renames it to the next rotated name, and starts a new one. */
  private async rotate(fh: FileHandle): Promise<FileHandle> {
    if (this.fsync) await fh.sync();
    this.opening = undefined;
    await fh.close();
    await rename(this.path, await this.names!.next());
    if (this.fsync) await syncDirectory(dirname(this.path));
    return this.handle();
  }
}

/** The line breaks in the file at `path`. */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}
