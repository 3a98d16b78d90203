// The entry of a worker thread or a child process running an offloaded node.
import { parentPort } from 'node:worker_threads';
import { createHandler } from './handler.js';
import type { FromWorker, ToWorker } from './protocol.js';

if (parentPort !== null) {
  const port = parentPort;
  const handle = createHandler('thread', (msg: FromWorker) => port.postMessage(msg));
  port.on('message', (msg: ToWorker) => handle(msg));
} else if (process.send !== undefined) {
  const send = process.send.bind(process);
  const handle = createHandler('process', (msg: FromWorker) => void send(msg));
  process.on('message', (msg: ToWorker) => handle(msg));
  // The parent went away: nothing left to do.
  process.on('disconnect', () => process.exit(0));
}
