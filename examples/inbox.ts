/**
 * An inbox: order files (`item,quantity,unit price` per line, `.csv`) dropped into a directory are
 * turned into JSON receipts in another.
 *
 * `watchDirectory` emits each CSV file once it has stayed unchanged for `minAgeMs` (a file still
 * being copied in is not read half-written). `readFile` reads it, a `map` totals its lines, and
 * `writeFile` writes the receipt `<name>.json` to the outbox (temporary name, fsync, rename). A
 * file with a bad line is dead-lettered, with the line number, to `dead-letters.ndjson` (toFile).
 * On a durable store a restarted inbox reads no file twice once its receipt is written, and
 * loses none that arrived meanwhile.
 *
 * Run it with `npx tsx examples/inbox.ts <inbox> <outbox> [store]`; stop it with Ctrl-C.
 */
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { pathToFileURL } from 'node:url';
import {
  Consecutor,
  map,
  output,
  readFile,
  toFile,
  watchDirectory,
  writeFile,
  type FileContent,
  type Node,
  type RunReport,
  type WatchedFile,
} from 'consecution';

export interface Receipt {
  readonly file: string;
  readonly lines: number;
  readonly total: number;
}

export interface InboxOptions {
  readonly inbox: string;
  readonly outbox: string;
  /** A durable store (a directory): a restart resumes without reading a file twice. @default in memory */
  readonly store?: string;
  /** How long a file must stay unchanged before it is read. @default 500 */
  readonly minAgeMs?: number;
  /** Stop once this many files were handled (written or dead-lettered). @default run until stopped */
  readonly stopAfter?: number;
  /** Stops the inbox when aborted. */
  readonly signal?: AbortSignal;
}

/** Totals an order file; a line that is not `item,quantity,price` throws, naming it. */
export function receiptOf(file: FileContent<string>): FileContent<string> {
  const lines = file.content.split('\n').filter((l) => l.trim() !== '');
  let total = 0;
  lines.forEach((line, i) => {
    const [item, quantity, price] = line.split(',').map((s) => s.trim());
    const q = Number(quantity);
    const p = Number(price);
    if (!item || !Number.isFinite(q) || !Number.isFinite(p)) throw new Error(`${file.path} line ${i + 1}: expected item,quantity,price, got ${JSON.stringify(line)}`);
    total += q * p;
  });
  const receipt: Receipt = { file: file.path, lines: lines.length, total: Math.round(total * 100) / 100 };
  return { path: file.path.replace(/\.csv$/, '.json'), content: `${JSON.stringify(receipt)}\n` };
}

/** The pipeline: a watched file in, the path of its receipt out (to the output `written`). */
export function inbox(outbox: string): Node<WatchedFile, never> {
  return pipe(readFile(), map('receipt', receiptOf), writeFile(outbox), output('written'));
}

/** Runs the inbox until `stopAfter` files were handled, or `signal` aborts. */
export async function main(options: InboxOptions): Promise<{ report: RunReport; written: string[] }> {
  const written: string[] = [];
  let handled = 0;
  let c: Consecutor<WatchedFile, never> | undefined = undefined;
  const counted = () => {
    if (++handled === options.stopAfter) void c?.stop();
  };
  const dead = toFile(join(options.outbox, 'dead-letters.ndjson'));
  c = new Consecutor(inbox(options.outbox), {
    guarantee: 'replay',
    retries: 1,
    ...(options.store === undefined ? {} : { store: { path: options.store } }),
    outputs: {
      written: {
        append: (path: string) => {
          written.push(path);
          counted();
        },
      },
      deadLetter: { open: () => dead.open(), close: () => dead.close(), append: (record: unknown) => dead.append(record).then(counted) },
    },
  });
  const report = await c.run(watchDirectory(options.inbox, { pattern: '*.csv', minAgeMs: options.minAgeMs ?? 500 }), options.signal === undefined ? {} : { signal: options.signal });
  return { report, written };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [inboxDir, outbox, store] = process.argv.slice(2);
  if (inboxDir === undefined || outbox === undefined) {
    console.error('usage: npx tsx examples/inbox.ts <inbox> <outbox> [store]');
    process.exit(2);
  }
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  console.log(`watching ${inboxDir} for *.csv; receipts go to ${outbox}; Ctrl-C stops`);
  const { report, written } = await main({ inbox: inboxDir, outbox, ...(store === undefined ? {} : { store }), signal: stop.signal });
  console.log(`${written.length} receipts written, ${report.deadLettered} files dead-lettered`);
}
