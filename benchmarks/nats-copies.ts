// NATS-COPIES: 1 copy against 2 copies of one pipeline, each copy a child process
// (nats-copy-child.ts) on the same durable consumer, on a step that takes about 2 ms of CPU per
// message (a busy loop timed by hrtime; NATS_BENCH_WORK_MS sets another); items/s for the whole
// set of 2,000 messages. By consecution (fromNats → map → toNats) and, as the baseline, by raw
// nats.js (rawPipe), with the same pull batch, in-flight bound and work. Untimed: filling IN,
// starting the children until they have loaded everything, stopping them and deleting the
// streams. Timed: from 'go' to the moment the parent, subscribed to OUT's subject, has seen all N
// results; the result checked is the number of messages OUT holds then.
import { fork, type ChildProcess } from 'node:child_process';
import type { Subscription } from '@nats-io/transport-node';
import type { Scenario, Variant } from './harness.js';
import { integers } from './lib.js';
import type { CopyDone, CopyRequest } from './nats-copy-child.js';
import { deleteStreams, freshStreams, natsClient, outputCount, type NatsClient, type StreamPair } from './nats-lib.js';

/** The CPU per message, in ms: NATS_BENCH_WORK_MS, default 2. */
const WORK_MS = workMs(process.env.NATS_BENCH_WORK_MS);
/** About 4 s of work for one copy: 2,000 messages of 2 ms. */
const N = Math.round(4_000 / WORK_MS);
/**
 * Messages per pull (about 20 ms of work: 10 of 2 ms), and the most in flight per copy (two
 * pulls): small, so that a copy never holds much more work than it can do soon (a pull of 100
 * would be 200 ms of work that the other copy cannot take at the end).
 */
const BATCH = Math.max(10, Math.round(20 / WORK_MS));
const MAX_PENDING = 2 * BATCH;
const FETCH_WAIT_MS = 1_000;

function workMs(text: string | undefined): number {
  const ms = Number(text ?? 2);
  if (!(ms >= 0.01 && ms <= 100)) throw new Error(`NATS_BENCH_WORK_MS: expected ms of CPU per message, 0.01 to 100, got ${text}`);
  return ms;
}

const CHILD = new URL(`./nats-copy-child${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/** Starts a copy and resolves once it has loaded everything ('ready'). */
function startCopy(request: CopyRequest): Promise<ChildProcess> {
  // execArgv is inherited: under tsx the child loads tsx too; under --cpu-prof it is profiled too.
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`nats-copies: a copy exited (${code}) before it was ready`)));
    child.once('message', (m) => {
      if (m !== 'ready') return reject(new Error(`nats-copies: a copy said ${JSON.stringify(m)} instead of ready`));
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve(child);
    });
    child.send(request);
  });
}

/** Asks a copy to stop and resolves with what it says it did (it is killed if it does not exit within 30 s). */
function stopCopy(child: ChildProcess): Promise<CopyDone> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('nats-copies: a copy did not stop within 30 s'));
    }, 30_000);
    let done: CopyDone | undefined;
    child.on('message', (m) => (done = m as CopyDone));
    child.once('exit', () => {
      clearTimeout(timer);
      if (done === undefined) reject(new Error('nats-copies: a copy exited without saying what it did'));
      else resolve(done);
    });
    child.send('stop');
  });
}

function copies(kind: CopyRequest['kind'], count: number, baseline?: 'nats' | 'oneCopy'): Variant {
  const name = `${kind === 'raw' ? 'raw nats.js' : 'consecution'} ×${count}`;
  let client: NatsClient | undefined;
  let pair: StreamPair | undefined;
  let children: ChildProcess[] = [];
  let seen: Subscription | undefined;
  let all: Promise<void> | undefined;
  return {
    name,
    ...(baseline === undefined ? {} : { baseline }),
    async prepare(input) {
      client = await natsClient('bench nats-copies');
      pair = await freshStreams(client, 'copies', input);
      // Every result, as it is published (a duplicate counts once).
      const results = new Set<number>();
      const sub = client.nc.subscribe(pair.outputSubject);
      seen = sub;
      all = (async () => {
        for await (const m of sub) {
          results.add(m.json<{ n: number }>().n);
          if (results.size === input.length) return;
        }
      })();
      const request: CopyRequest = { kind, pair, batch: BATCH, maxPending: MAX_PENDING, fetchWaitMs: FETCH_WAIT_MS, workMs: WORK_MS };
      children = await Promise.all(Array.from({ length: count }, () => startCopy(request)));
    },
    async run() {
      for (const child of children) child.send('go');
      await all;
      return outputCount(client!, pair!);
    },
    async cleanup() {
      const said = await Promise.all(children.map(stopCopy));
      children = [];
      seen?.unsubscribe();
      await deleteStreams(client!, pair);
      await client?.nc.close();
      client = undefined;
      pair = undefined;
      if (process.env.NATS_BENCH_DEBUG !== undefined) {
        const round = (ms: number) => Math.round(ms);
        console.error(`${name}: ${said.map((d) => `${d.confirmed} items, first ${round(d.first)} ms, last ${round(d.last)} ms`).join('; ')}`);
      }
      const failed = said.find((d) => d.error !== undefined);
      if (failed !== undefined) throw new Error(`nats-copies: ${name}: a copy failed: ${failed.error}`);
    },
  };
}

export const natsCopies: Scenario = {
  id: 'nats-copies',
  title: `1 vs 2 copies (child processes, one durable consumer), ~${WORK_MS} ms of CPU per message`,
  items: N,
  input: () => integers(N),
  expected: (input) => input.length,
  baselines: ['nats', 'oneCopy'],
  runs: 5,
  warmup: 1,
  variants: [copies('raw', 1, 'nats'), copies('raw', 2), copies('consecution', 1, 'oneCopy'), copies('consecution', 2)],
  targets: [{ variant: 'consecution ×2', baseline: 'oneCopy', min: 1.5 }],
};
