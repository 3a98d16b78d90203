import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Mode } from '../consecutor/options.js';
import { createHandler } from './handler.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** One worker as the pool sees it: messages both ways, and its death. */
export interface Channel {
  send(msg: ToWorker): void;
  /** Stops the worker; no exit is reported for it. */
  terminate(): void;
}

export interface ChannelEvents {
  message(msg: FromWorker): void;
  /** The worker died on its own (crashed, was killed, exited). */
  exit(why: string): void;
}

// In the TypeScript sources (tests, tsx) the entry is a .ts file that Node needs tsx to load.
const entryUrl = new URL(import.meta.url.endsWith('.ts') ? './entry.ts' : './entry.js', import.meta.url);
const execArgv = import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [];

/** Starts a worker of the given kind. `sync` runs the node inline, on the main thread. */
export function openChannel(mode: Mode, events: ChannelEvents): Channel {
  if (mode === 'thread') return threadChannel(events);
  if (mode === 'process') return processChannel(events);
  return inlineChannel(events);
}

// From the TypeScript sources, a worker thread first registers tsx's loader through its API (Node
// 20 does not apply `--import` in a worker's execArgv to the worker's own entry), then loads the entry.
// Only dynamic imports: the eval'd code is CommonJS or ESM depending on the parent's flags.
const tsBootstrap = `Promise.all([import('tsx/esm/api'), import('node:worker_threads')]).then(([tsx, wt]) => { tsx.register(); return import(wt.workerData.entry) })`;

function threadChannel(events: ChannelEvents): Channel {
  const worker = import.meta.url.endsWith('.ts')
    ? new Worker(tsBootstrap, { eval: true, workerData: { entry: entryUrl.href } })
    : new Worker(entryUrl);
  let stopped = false;
  worker.on('message', (msg: FromWorker) => events.message(msg));
  worker.on('error', (e) => {
    if (!stopped) events.exit(`the worker thread threw: ${e.message}`);
    stopped = true;
  });
  worker.on('exit', (code) => {
    if (!stopped) events.exit(`the worker thread exited with code ${code}`);
    stopped = true;
  });
  return {
    send: (msg) => worker.postMessage(msg),
    terminate: () => {
      stopped = true;
      void worker.terminate();
    },
  };
}

function processChannel(events: ChannelEvents): Channel {
  const child: ChildProcess = fork(fileURLToPath(entryUrl), [], { execArgv, serialization: 'advanced', stdio: 'inherit' });
  let stopped = false;
  child.on('message', (msg) => events.message(msg as FromWorker));
  child.on('exit', (code, signal) => {
    if (!stopped) events.exit(`the worker process exited with ${signal ?? `code ${code}`}`);
    stopped = true;
  });
  child.on('error', (e) => {
    if (!stopped) events.exit(`the worker process failed: ${e.message}`);
    stopped = true;
  });
  return {
    send: (msg) => {
      if (!stopped && child.connected) child.send(msg);
    },
    terminate: () => {
      stopped = true;
      if (child.connected) child.disconnect();
      child.kill();
    },
  };
}

function inlineChannel(events: ChannelEvents): Channel {
  let stopped = false;
  const handle = createHandler((msg) => {
    if (!stopped) events.message(msg);
  });
  return {
    send: (msg) => handle(msg),
    terminate: () => {
      stopped = true;
    },
  };
}
