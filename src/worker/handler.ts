import { pathToFileURL } from 'node:url';
import { toErrorInfo } from '../acker/failure.js';
import { ConsecutionError } from '../errors.js';
import type { EndContext } from '../nodes/spec.js';
import { validateSpec } from '../nodes/validate.js';
import { isDefinedNode, type DefinedNode } from './define.js';
import { BatchProcessor, writeUnavailable } from './processor.js';
import type { FromWorker, ToWorker } from './protocol.js';

/**
 * The worker side of the bridge, the same in a thread, a child process and inline: loads the
 * node's module, processes batches in order (awaiting async results), answers one message per
 * batch, and runs `end()` when told.
 */
export function createHandler(post: (msg: FromWorker) => void): (msg: ToWorker) => void {
  let spec: DefinedNode<unknown, unknown> | undefined;
  let name = '';
  let processor: BatchProcessor | undefined;
  let chain: Promise<void> = Promise.resolve();
  const abort = new AbortController();
  // Messages are handled strictly one after the other.
  return (msg) => {
    chain = chain.then(() => handle(msg)).catch((e: unknown) => post({ t: 'fatal', error: toErrorInfo(e) }));
  };

  async function handle(msg: ToWorker): Promise<void> {
    if (msg.t === 'init') {
      const url = msg.url.startsWith('file:') || /^[a-z]+:/i.test(msg.url) ? msg.url : pathToFileURL(msg.url).href;
      const mod = (await import(url)) as { default?: unknown };
      if (!isDefinedNode(mod.default)) {
        throw new ConsecutionError('OPTIONS_INVALID', `offload(): the default export of ${msg.url} is not a node made with defineNode(...)`);
      }
      spec = mod.default;
      name = msg.name;
      processor = new BatchProcessor(spec, name, validateSpec(name, spec), abort.signal);
      post({ t: 'ready', name: spec.name });
      return;
    }
    const node = spec!;
    if (msg.t === 'batch') {
      const results = processor!.run(msg);
      post(results instanceof Promise ? await results : results);
      return;
    }
    const outs: unknown[] = [];
    const ctx: EndContext<unknown> = {
      node: name,
      signal: abort.signal,
      push: (v) => outs.push(v),
      write: () => {
        throw writeUnavailable(name);
      },
    };
    try {
      await node.end?.(ctx);
      post({ t: 'ended', outs });
    } catch (e) {
      post({ t: 'ended', outs, error: toErrorInfo(e) });
    }
    abort.abort();
  }
}
