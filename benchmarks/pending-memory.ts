// npm run bench:memory [-- --items=N] [--json]
//
// Bytes per pending root: 1,000,000 input items admitted (maxPending 1,000,000) and held by a stage
// that passes nothing on until it is released, so that every root stays pending; the heap is read
// with process.memoryUsage() after a full GC, before the run and while everything is held.
// Guarantee `none` has no roots: its row is what the held envelopes and the holder cost alone.
import { Observable } from 'rxjs';
import { pipe } from 'rxjs';
import { reduce, type Envelope, type Guarantee, type Node } from 'consecution';
import { machine } from './harness.js';
import { add, integers, runOnce } from './lib.js';

const LEVELS = ['none', 'confirm', 'track', 'replay'] as const satisfies readonly Guarantee[];

interface Measured {
  readonly guarantee: Guarantee;
  /** Heap (JS objects) per held item, in bytes. */
  readonly heap: number;
  /** Memory outside the JS heap (ArrayBuffers, native) per held item, in bytes. */
  readonly external: number;
  /** Resident set per held item, in bytes: what the process took from the OS (coarser). */
  readonly rss: number;
}

/**
 * A stage that holds every envelope in a preallocated array (8 bytes a slot) until `release`,
 * then passes them on in order; `onFull` is called once `count` envelopes are held.
 */
function holdUntil(count: number, release: Promise<void>, onFull: () => void): Node<number, number> {
  return (source) =>
    new Observable<Envelope<number>>((out) => {
      const held = new Array<Envelope<number>>(count);
      let n = 0;
      let open = false;
      let done = false;
      void release.then(() => {
        open = true;
        for (let i = 0; i < n; i++) out.next(held[i]!);
        held.length = 0;
        if (done) out.complete();
      });
      return source.subscribe({
        next(e) {
          if (open) return out.next(e);
          held[n++] = e;
          if (n === count) onFull();
        },
        error: (e: unknown) => out.error(e),
        complete() {
          done = true;
          if (open) out.complete();
        },
      });
    });
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g();
  g();
}

async function measure(guarantee: Guarantee, input: readonly number[]): Promise<Measured> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let full!: () => void;
  const allHeld = new Promise<void>((resolve) => (full = resolve));
  gc();
  const before = process.memoryUsage();
  const done = runOnce(`pending ${guarantee}`, pipe(holdUntil(input.length, released, full), reduce(add, 0)), input, {
    guarantee,
    maxPending: input.length,
  });
  await allHeld;
  gc();
  const during = process.memoryUsage();
  release();
  const result = await done;
  const expected = input.reduce(add, 0);
  if (result !== expected) throw new Error(`${guarantee}: computed ${result}, expected ${expected}`);
  const per = (k: 'heapUsed' | 'external' | 'rss') => (during[k] - before[k]) / input.length;
  return { guarantee, heap: per('heapUsed'), external: per('external'), rss: per('rss') };
}

async function main(): Promise<void> {
  const arg = process.argv.slice(2).find((a) => a.startsWith('--items='));
  const items = arg === undefined ? 1_000_000 : Number(arg.slice('--items='.length));
  if (!Number.isInteger(items) || items < 1) throw new Error(`--items: a positive integer, got ${arg}`);
  const json = process.argv.includes('--json');
  const input = integers(items);
  const results: Measured[] = [];
  // A first round unmeasured, so that compiled code and the heap's own structures are in place.
  await measure('replay', integers(10_000));
  for (const g of LEVELS) results.push(await measure(g, input));
  if (json) return console.log(JSON.stringify({ machine: machine(), items, results }, null, 2));
  const m = machine();
  const none = results[0]!;
  console.log(`${m.date} ${m.cpu}, Node ${m.node}, commit ${m.commit}; ${items.toLocaleString('en-US')} roots pending\n`);
  console.log('| guarantee | heap B/item | external B/item | rss B/item | heap B/root beyond `none` |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of results) {
    const beyond = r.guarantee === 'none' ? '—' : (r.heap - none.heap).toFixed(0);
    console.log(`| ${r.guarantee} | ${r.heap.toFixed(0)} | ${r.external.toFixed(1)} | ${r.rss.toFixed(0)} | ${beyond} |`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
