// What the offload scenarios are measured against besides inline: the same work done by
// hand-written worker code, as one would write it without a library. Batches of plain arrays
// (structured clone), two batches in flight per worker, the results summed on the main thread;
// starting and stopping the workers counts, as it does for offload(). No acking, no retries, no
// supervision: the floor of what crossing to workers costs on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import type { Variant } from './harness.js';

export type Kind = 'thread' | 'process';

/** The worker's code: applies `fn` (JavaScript source of a self-contained function) to each value of a batch. */
const workerCode = (kind: Kind, fn: string) => `
const fn = (${fn});
const onBatch = (values, reply) => {
  const out = [];
  for (let i = 0; i < values.length; i++) out.push(fn(values[i]));
  reply(out);
};
${
  kind === 'thread'
    ? `const { parentPort } = require('node:worker_threads');
parentPort.on('message', (values) => onBatch(values, (out) => parentPort.postMessage(out)));`
    : `process.on('message', (values) => onBatch(values, (out) => process.send(out)));
process.on('disconnect', () => process.exit(0));`
}`;

interface Peer {
  send(values: number[]): void;
  onReply(fn: (out: number[]) => void): void;
  stop(): Promise<void>;
}

function startPeer(kind: Kind, code: string): Peer {
  if (kind === 'thread') {
    const w = new Worker(code, { eval: true });
    return {
      send: (values) => w.postMessage(values),
      onReply: (fn) => w.on('message', fn),
      stop: async () => void (await w.terminate()),
    };
  }
  const child: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    send: (values) => void child.send(values),
    onReply: (fn) => child.on('message', (m) => fn(m as number[])),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * A variant that maps `fn` over the input on `workers` hand-written workers in batches of
 * `batch`, and sums the results. `fn` must not close over anything: its source is sent.
 */
export function handWritten(name: string, kind: Kind, fn: (x: number) => number, workers: number, batch: number, prelude = ''): Variant {
  const code = `${prelude}\n${workerCode(kind, fn.toString())}`;
  return {
    name,
    run: async (input) => {
      const peers = Array.from({ length: workers }, () => startPeer(kind, code));
      let sum = 0;
      let sent = 0;
      let received = 0;
      await new Promise<void>((resolve) => {
        const feed = (peer: Peer) => {
          if (sent >= input.length) return;
          peer.send(input.slice(sent, sent + batch));
          sent += batch;
        };
        for (const peer of peers) {
          peer.onReply((out) => {
            for (let i = 0; i < out.length; i++) sum += out[i]!;
            received += out.length;
            if (received >= input.length) resolve();
            else feed(peer);
          });
          // Two batches in flight per worker: one to work on, the next waiting.
          feed(peer);
          feed(peer);
        }
      });
      await Promise.all(peers.map((p) => p.stop()));
      return sum;
    },
  };
}
