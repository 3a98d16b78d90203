// toFile's throughput beside raw `fs`: the same NDJSON lines written in batches of 1,000 with one
// write and one fsync per batch. The raw baseline stringifies, joins, writes and fsyncs by hand;
// toFile gets the appends from a producer with at most two batches in flight (its group commit
// makes them batches of 1,000); a third variant runs toFile as the output of a replay run. Each variant's result is the file's size in bytes
// (every variant checked), so MB/s = items/s × BYTES_PER_ITEM.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consecutor, output, toFile } from 'consecution';
import type { Scenario } from './harness.js';
import { integers } from './lib.js';

const N = 100_000;
const BATCH = 1_000;
const PAD = 'x'.repeat(48);

const record = (i: number) => ({ id: i, name: `item-${i}`, value: i * 1.5, pad: PAD });
const line = (i: number) => `${JSON.stringify(record(i))}\n`;

/** The bytes of the file every variant writes. */
function expectedBytes(input: readonly number[]): number {
  let bytes = 0;
  for (const i of input) bytes += Buffer.byteLength(line(i));
  return bytes;
}

/** About how many bytes one item is, for MB/s. */
export const BYTES_PER_ITEM = expectedBytes(integers(N)) / N;

async function inTempFile(fn: (file: string) => Promise<void>): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'consecution-bench-to-file-'));
  try {
    const file = join(dir, 'out.ndjson');
    await fn(file);
    return statSync(file).size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const toFileScenario: Scenario = {
  id: 'to-file',
  title: `toFile: NDJSON lines (~${Math.round(BYTES_PER_ITEM)} bytes) in batches of ${BATCH}, one fsync per batch`,
  items: N,
  input: () => integers(N),
  expected: expectedBytes,
  baselines: ['fs'],
  runs: 5,
  warmup: 1,
  variants: [
    {
      name: 'raw fs write + fsync',
      baseline: 'fs',
      run: (input) =>
        inTempFile(async (file) => {
          const fh = await open(file, 'a');
          for (let from = 0; from < input.length; from += BATCH) {
            const lines: string[] = [];
            for (let i = from; i < Math.min(from + BATCH, input.length); i++) lines.push(`${JSON.stringify(record(input[i]!))}\n`);
            const bytes = Buffer.from(lines.join(''));
            for (let at = 0; at < bytes.length; ) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
            await fh.sync();
          }
          await fh.close();
        }),
    },
    {
      // A producer with two batches in flight at most (as a run with maxPending 2,000): while one
      // batch is being fsync'd the next one fills, and group commit makes it one write + fsync.
      name: 'toFile appends',
      run: (input) =>
        inTempFile(async (file) => {
          const sink = toFile(file);
          await sink.open();
          let previous: Promise<unknown> = Promise.resolve();
          for (let from = 0; from < input.length; from += BATCH) {
            const batch: Promise<void>[] = [];
            for (let i = from; i < Math.min(from + BATCH, input.length); i++) batch.push(sink.append(record(input[i]!)));
            await previous;
            previous = Promise.all(batch);
          }
          await previous;
          await sink.close();
        }),
    },
    {
      name: 'toFile in a replay run',
      run: (input) =>
        inTempFile(async (file) => {
          const c = new Consecutor(output('rows'), { guarantee: 'replay', maxPending: 10_000, outputs: { rows: toFile(file) } });
          const report = await c.run(input.map(record));
          if (!report.ok || report.completed !== input.length) throw new Error(`unclean report: ${JSON.stringify(report)}`);
        }),
    },
  ],
  targets: [{ variant: 'toFile appends', baseline: 'fs', min: 0.8 }],
};
