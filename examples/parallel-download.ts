/**
 * Parallel download: a large file fetched in blocks with HTTP Range requests, eight at a time, and
 * written in order.
 *
 * A local server (node:http) serves a file of random bytes and answers `Range: bytes=a-b` with
 * 206 and those bytes. Each block of the file is one input item. The node `download` fetches up
 * to 8 blocks at once (`concurrency: 8`), so they come back out of order (the server also answers
 * the first block late, to make sure); `ordered()` puts them back in input order, and the output
 * `file` appends each block to the copy. `maxPending` is the WIP limit: at most that many blocks
 * are downloading, held by `ordered()` or being written, so memory stays flat however large the
 * file is. The server fails one Range request once (503): the node retries that block alone
 * (`retries: 2`), no other block is fetched again. At the end the copy's sha256 equals the
 * source's.
 *
 * Run it with `npx tsx examples/parallel-download.ts`.
 */
import { pipe } from 'rxjs';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Consecutor, fromIterable, node, ordered, output, type Node, type OutputTarget, type RunReport } from 'consecution';

export interface DownloadOptions {
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** The size of the file served. @default 32 MiB */
  readonly fileBytes?: number;
  /** The size of one block (one Range request). @default 256 KiB */
  readonly blockBytes?: number;
  /** Blocks downloading at once. @default 8 */
  readonly concurrency?: number;
  /** The WIP limit: blocks in the pipeline at once. @default 16 */
  readonly maxPending?: number;
  /** The block whose first request the server fails with a 503. @default 5 */
  readonly failingBlock?: number;
}

export interface DownloadResult {
  readonly fileBytes: number;
  readonly blocks: number;
  readonly sourceSha256: string;
  readonly copySha256: string;
  /** Block indexes in the order their downloads finished. */
  readonly arrived: readonly number[];
  /** Block indexes in the order they were appended to the copy. */
  readonly written: readonly number[];
  /** How many Range requests the server answered for each block. */
  readonly requests: readonly number[];
  /** The most bytes of blocks downloaded and not yet written, at any moment. */
  readonly peakHeldBytes: number;
  /** The process's resident memory when the download started, and its peak during it. */
  readonly rssBefore: number;
  readonly peakRss: number;
  readonly report: RunReport;
}

/** One block of the file: bytes `start` to `end`, both included (as a Range header says). */
export interface Block {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** A block with its bytes. */
export interface Downloaded {
  readonly index: number;
  readonly bytes: Buffer;
}

/** The blocks of a file of `fileBytes`, in order. */
export function* blocksOf(fileBytes: number, blockBytes: number): Generator<Block> {
  for (let index = 0, start = 0; start < fileBytes; index++, start += blockBytes) {
    yield { index, start, end: Math.min(fileBytes, start + blockBytes) - 1 };
  }
}

/** What the pipeline tells its caller as it goes. */
interface Progress {
  arrived(block: Downloaded): void;
}

/** The pipeline: blocks in, downloaded `concurrency` at a time, put back in order, written to the output `file`. */
export function parallelDownload(url: string, concurrency: number, progress?: Progress): Node<Block, never> {
  return pipe(
    node('download', {
      concurrency,
      retries: 2, // a failed block is fetched again, alone
      async process(block: Block, ctx) {
        const res = await fetch(url, { headers: { range: `bytes=${block.start}-${block.end}` }, signal: ctx.signal });
        if (res.status !== 206) throw new Error(`block ${block.index}: the server answered ${res.status} ${res.statusText}`);
        const downloaded = { index: block.index, bytes: Buffer.from(await res.arrayBuffer()) };
        progress?.arrived(downloaded);
        return downloaded;
      },
    }),
    ordered(),
    output('file'),
  );
}

/**
 * An output target that appends each block to the file at `path`, one write after the other, and
 * checks that the blocks come in order (`ordered()` is what makes them). `onWritten` is told of
 * each block once its bytes are written.
 */
export function appendBlocks(path: string, onWritten?: (block: Downloaded) => void) {
  const written: number[] = [];
  let file: FileHandle | undefined;
  let last: Promise<void> = Promise.resolve();
  return {
    /** The indexes of the blocks appended, in order. */
    written,
    async open() {
      file = await open(path, 'w');
    },
    append(block: Downloaded) {
      if (block.index !== written.length) throw new Error(`block ${block.index} came before block ${written.length}`);
      written.push(block.index);
      // Confirmed once its bytes are written, after the blocks before it.
      last = last.then(async () => {
        await file!.write(block.bytes);
        onWritten?.(block);
      });
      return last;
    },
    async close() {
      await last.catch(() => {});
      await file?.close();
    },
  } satisfies OutputTarget<Downloaded> & { written: readonly number[] };
}

/**
 * Serves `path` on 127.0.0.1, answering Range requests with 206. The first request of the block
 * starting at `failAt` gets a 503; the block starting at 0 is answered once 3 others have been
 * (or after a second), so that blocks surely arrive out of order.
 */
export async function serveRanges(path: string, size: number, failAt: number) {
  const requests = new Map<number, number>();
  let answered = 0;
  const latecomers: (() => void)[] = [];
  const answeredOne = () => {
    if (++answered >= 3) for (const go of latecomers.splice(0)) go();
  };
  const server = createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (m === null) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    const start = Number(m[1]);
    const end = Math.min(Number(m[2]), size - 1);
    const n = (requests.get(start) ?? 0) + 1;
    requests.set(start, n);
    if (start === failAt && n === 1) return void res.writeHead(503).end('try again');
    const send = () => {
      res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
      createReadStream(path, { start, end }).pipe(res).on('finish', answeredOne);
    };
    if (start === 0 && answered < 3) {
      // Late: once 3 other blocks are answered, or after a second (if fewer are asked for at once).
      let sent = false;
      const go = () => {
        if (!sent) send();
        sent = true;
      };
      latecomers.push(go);
      setTimeout(go, 1000).unref();
    } else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.bin`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Writes `bytes` random bytes to `path` and returns their sha256. */
async function makeRandomFile(path: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  for (let left = bytes; left > 0; left -= 1 << 20) {
    const chunk = randomBytes(Math.min(left, 1 << 20));
    hash.update(chunk);
    await file.write(chunk);
  }
  await file.close();
  return hash.digest('hex');
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const MiB = 1 << 20;

export async function main(options: DownloadOptions = {}): Promise<DownloadResult> {
  const { quiet = false, fileBytes = 32 * MiB, blockBytes = 256 * 1024, concurrency = 8, maxPending = 16, failingBlock = 5 } = options;
  const dir = await mkdtemp(join(tmpdir(), 'parallel-download-'));
  try {
    const sourcePath = join(dir, 'big.bin');
    const copyPath = join(dir, 'copy.bin');
    const sourceSha256 = await makeRandomFile(sourcePath, fileBytes);
    const server = await serveRanges(sourcePath, fileBytes, failingBlock * blockBytes);

    // What is in memory: bytes downloaded and not yet written, and the process's resident set.
    let held = 0;
    let peakHeldBytes = 0;
    const arrived: number[] = [];
    const rssBefore = process.memoryUsage.rss();
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 5);

    const copy = appendBlocks(copyPath, (block) => (held -= block.bytes.length));
    const pipeline = parallelDownload(server.url, concurrency, {
      arrived(block) {
        arrived.push(block.index);
        held += block.bytes.length;
        peakHeldBytes = Math.max(peakHeldBytes, held);
      },
    });
    const report = await new Consecutor(pipeline, { maxPending, outputs: { file: copy } }).run(fromIterable(blocksOf(fileBytes, blockBytes)));
    clearInterval(sampler);
    await server.close();

    const blocks = Math.ceil(fileBytes / blockBytes);
    const result: DownloadResult = {
      fileBytes,
      blocks,
      sourceSha256,
      copySha256: await sha256Of(copyPath),
      arrived,
      written: copy.written,
      requests: [...blocksOf(fileBytes, blockBytes)].map((b) => server.requests.get(b.start) ?? 0),
      peakHeldBytes,
      rssBefore,
      peakRss,
      report,
    };
    if (!quiet) print(result, { blockBytes, concurrency, maxPending });
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function print(r: DownloadResult, o: { blockBytes: number; concurrency: number; maxPending: number }): void {
  const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
  const late = r.arrived.filter((index, i) => r.arrived.slice(i + 1).some((later) => later < index)).length;
  const again = r.requests.flatMap((n, index) => (n > 1 ? [`block ${index} (${n} requests)`] : []));
  console.log(`downloaded ${mib(r.fileBytes)} in ${r.blocks} blocks of ${o.blockBytes / 1024} KiB, ${o.concurrency} at a time, in ${Math.round(r.report.durationMs)} ms`);
  console.log(`  ${late} blocks arrived before an earlier one; written in order: ${r.written.every((index, i) => index === i)}`);
  console.log(`  fetched again: ${again.join(', ') || 'none'}`);
  console.log(`  memory: at most ${mib(r.peakHeldBytes)} of blocks held (maxPending ${o.maxPending} × ${o.blockBytes / 1024} KiB = ${mib(o.maxPending * o.blockBytes)}) for a ${mib(r.fileBytes)} file;`);
  console.log(`          resident set ${mib(r.rssBefore)} before, ${mib(r.peakRss)} at its peak (+${mib(r.peakRss - r.rssBefore)})`);
  console.log(`  sha256 ${r.copySha256 === r.sourceSha256 ? 'equal' : 'DIFFERENT'}: ${r.copySha256}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { report, copySha256, sourceSha256 } = await main();
  if (!report.ok || copySha256 !== sourceSha256) process.exitCode = 1;
}
