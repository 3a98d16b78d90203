/**
 * Word count over the text files in examples/data/words.
 *
 * Each file is read line by line with readline, and the files are combined into one input with
 * `merge(...)`. The lines are split into words (`flatMap`), normalised (`map`, `filter`), batched
 * by 500 (`chunk`), and counted per batch. A `reduce` then adds the batch counts into one Map.
 *
 * Run it with `npx tsx examples/word-count.ts`.
 */
import { pipe } from 'rxjs';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  chunk,
  Consecutor,
  filter,
  flatMap,
  fromAsyncIterable,
  map,
  merge,
  output,
  reduce,
  type Node,
  type RunReport,
} from 'consecution';

export interface WordCountOptions {
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** The directory whose `.txt` files are counted. @default examples/data/words */
  readonly dir?: string;
  /** Words per batch. @default 500 */
  readonly batchSize?: number;
  /** How many of the most frequent words to return and print. @default 10 */
  readonly top?: number;
}

export interface WordCountResult {
  /** Every word with its count. */
  readonly counts: ReadonlyMap<string, number>;
  /** The most frequent words, most frequent first (ties alphabetically). */
  readonly top: readonly (readonly [word: string, count: number])[];
  /** The files read. */
  readonly files: readonly string[];
  readonly report: RunReport;
}

export const DEFAULT_DIR = fileURLToPath(new URL('./data/words/', import.meta.url));

/** Splits a line at white space. */
export function splitWords(line: string): string[] {
  return line.split(/\s+/);
}

/** Lower case, without the punctuation around the word ("Boats," becomes "boats"); may be empty. */
export function normalise(word: string): string {
  return word.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

/** The pipeline: lines in, one Map of word counts out (to the output `counts`). */
export function wordCount(batchSize: number): Node<string, never> {
  return pipe(
    flatMap('words', splitWords),
    map('normalise', normalise),
    filter('non-empty', (word: string) => word !== ''),
    chunk('batches', batchSize),
    map('count-batch', (words: string[]) => {
      const counts = new Map<string, number>();
      for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
      return counts;
    }),
    // The seed is a function: each run starts from a fresh Map.
    reduce(
      'add-counts',
      (total: Map<string, number>, batch: Map<string, number>) => {
        for (const [w, n] of batch) total.set(w, (total.get(w) ?? 0) + n);
        return total;
      },
      () => new Map<string, number>(),
    ),
    output('counts'),
  );
}

/** The lines of a file, as an async iterable. */
function lines(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

/** Counts the words of the `.txt` files in `dir` and returns the counts with the run's report. */
export async function main(options: WordCountOptions = {}): Promise<WordCountResult> {
  const { quiet = false, dir = DEFAULT_DIR, batchSize = 500, top: topN = 10 } = options;
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => join(dir, f));
  const source = merge(...files.map((f) => fromAsyncIterable(lines(f), { name: basename(f) })));

  const results: Map<string, number>[] = [];
  const report = await new Consecutor(wordCount(batchSize), { outputs: { counts: results } }).run(source);
  const counts = results[0] ?? new Map<string, number>();
  const top = [...counts].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0)).slice(0, topN);

  if (!quiet) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`${total} words (${counts.size} different) in ${files.map((f) => basename(f)).join(', ')}\n`);
    const width = Math.max(...top.map(([w]) => w.length));
    top.forEach(([word, n], i) => console.log(`  ${String(i + 1).padStart(2)}. ${word.padEnd(width)}  ${String(n).padStart(4)}`));
    console.log(`\n  ${report.completed}/${report.ingested} lines completed, ${report.deadLettered} dead-lettered, in ${Math.round(report.durationMs)} ms`);
  }
  return { counts, top, files, report };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { report } = await main();
  if (!report.ok) process.exitCode = 1;
}
