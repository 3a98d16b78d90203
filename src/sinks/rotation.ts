import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { optionReader, rejectUnknown } from '../stage/args.js';

/**
 * When {@link toFile} starts a new file: once the current one holds `bytes` bytes, or `items`
 * lines (either limit that is set; at least one must be). A file never goes past a limit, but a
 * single line longer than `bytes` gets a file of its own.
 */
export interface RotateOptions {
  readonly bytes?: number;
  readonly items?: number;
}

/** Validated rotation limits; Infinity for one not set. */
export interface Rotation {
  readonly bytes: number;
  readonly items: number;
}

/** Reads `toFile`'s `rotate` option at once; OPTIONS_INVALID shows a bad value. */
export function rotationOf(rotate: RotateOptions | undefined): Rotation | undefined {
  if (rotate === undefined) return undefined;
  const r = optionReader({ rotate }, (key) => `toFile(): ${key}`);
  if (rotate === null || typeof rotate !== 'object') r.bad('rotate', 'an object { bytes?, items? }', rotate);
  rejectUnknown('toFile() rotate', rotate, ['bytes', 'items']);
  const limits = optionReader(rotate, (key) => `toFile(): rotate.${key}`);
  const bytes = limits.integer('bytes', 1, Infinity);
  const items = limits.integer('items', 1, Infinity);
  if (bytes === Infinity && items === Infinity) r.bad('rotate', 'an object with bytes and/or items', rotate);
  return { bytes, items };
}

/**
 * The names of a rotated file: `events.ndjson` becomes `events.1.ndjson`, then `events.2.ndjson`
 * and so on (the higher the number, the newer the file); `out` becomes `out.1`. No file is ever
 * renamed twice, so a kill during a rotation loses nothing.
 *
 * @example
 * ```ts
 * const names = new RotatedNames('/logs/events.ndjson');
 * await names.next(); // '/logs/events.3.ndjson' when events.1 and events.2 exist
 * ```
 */
export class RotatedNames {
  private readonly dir: string;
  private readonly stem: string;
  private readonly ext: string;
  private number: number | undefined;

  constructor(path: string) {
    this.dir = dirname(path);
    const base = basename(path);
    this.ext = extname(base);
    this.stem = base.slice(0, base.length - this.ext.length);
  }

  /** The name of the next rotated file: one past the highest number in the directory. */
  async next(): Promise<string> {
    if (this.number === undefined) {
      let highest = 0;
      const prefix = `${this.stem}.`;
      for (const name of await readdir(this.dir)) {
        if (!name.startsWith(prefix) || !name.endsWith(this.ext)) continue;
        const digits = name.slice(prefix.length, name.length - this.ext.length);
        if (/^\d+$/.test(digits)) highest = Math.max(highest, Number(digits));
      }
      this.number = highest;
    }
    this.number++;
    return join(this.dir, `${this.stem}.${this.number}${this.ext}`);
  }
}
