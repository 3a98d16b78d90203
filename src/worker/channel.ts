import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Observable, type Observer } from 'rxjs';
import type { Mode } from '../consecutor/options.js';
import { adopt } from './children.js';
import { createHandler } from './handler.js';
import { typeScriptLoader } from './loader.js';
import type { FromWorker, ToWorker } from './protocol.js';

/**
 * The bridge to one worker, as RxJS both ways: what the worker says is an Observable that errors
 * when the worker dies on its own (crashed, killed, exited); what it is told goes through an
 * Observer. Subscribing starts the worker; unsubscribing stops it.
 */
export interface Bridge {
  readonly incoming: Observable<FromWorker>;
  readonly outgoing: Observer<ToWorker>;
}

/** What ends `incoming` when a worker dies: the reason, for the items it held. */
export class WorkerDied extends Error {}

// In the TypeScript sources (tests, tsx) the entry is a .ts file that Node needs tsx to load.
const entryUrl = new URL(import.meta.url.endsWith('.ts') ? './entry.ts' : './entry.js', import.meta.url).href;
// A worker thread starts from this code, not from the entry's file: a thread inherits the
// parent's options, and one started from a file fails at once under `node --input-type=module -e`.
// To load TypeScript it first registers tsx's hooks through tsx's API (Node 20 does not apply
// `--import` in a worker's execArgv to its own entry). Only dynamic imports: the code is CommonJS
// or ESM depending on the parent's options.
const threadBootstrap = `import('node:worker_threads').then(({ workerData: { entry, tsx } }) =>
  (tsx === undefined ? Promise.resolve() : import(tsx).then((t) => t.register())).then(() => import(entry)))`;

/**
 * A bridge to a new worker of the given kind that will run the node module `url` (it is sent in
 * the first message); `sync` runs the node inline, on the main thread. Throws OPTIONS_INVALID when
 * the module is TypeScript and no tsx can be found to load it.
 */
export function bridge(mode: Mode, url: string, node: string): Bridge {
  const ts = mode === 'sync' ? undefined : typeScriptLoader([entryUrl, url], node);
  let send: (msg: ToWorker) => void = () => {};
  const outgoing: Observer<ToWorker> = {
    next: (msg) => send(msg),
    error: () => {},
    complete: () => {},
  };
  const incoming = new Observable<FromWorker>((subscriber) => {
    let stopped = false;
    const died = (why: string) => {
      if (!stopped) subscriber.error(new WorkerDied(why));
      stopped = true;
    };
    if (mode === 'thread') {
      const worker = new Worker(threadBootstrap, { eval: true, workerData: { entry: entryUrl, tsx: ts?.api } });
      worker.on('message', (msg: FromWorker) => subscriber.next(msg));
      worker.on('error', (e) => died(`the worker thread threw: ${e.message}`));
      worker.on('exit', (code) => died(`the worker thread exited with code ${code}`));
      send = (msg) => worker.postMessage(msg);
      return () => {
        stopped = true;
        void worker.terminate();
      };
    }
    if (mode === 'process') {
      const child = fork(fileURLToPath(entryUrl), [], {
        execArgv: ts === undefined ? [] : ['--import', ts.hooks],
        serialization: 'advanced',
        stdio: 'inherit',
      });
      adopt(child);
      child.on('message', (msg) => subscriber.next(msg as FromWorker));
      child.on('exit', (code, signal) => died(`the worker process exited with ${signal ?? `code ${code}`}`));
      child.on('error', (e) => died(`the worker process failed: ${e.message}`));
      send = (msg) => {
        if (!stopped && child.connected) child.send(msg);
      };
      return () => {
        stopped = true;
        if (child.connected) child.disconnect();
        child.kill();
      };
    }
    const handle = createHandler('sync', (msg) => {
      if (!stopped) subscriber.next(msg);
    });
    send = handle;
    return () => {
      stopped = true;
    };
  });
  return { incoming, outgoing };
}
