import { pathToFileURL } from 'node:url';
import { toErrorInfo } from '../acker/failure.js';
import type { Mode } from '../consecutor/options.js';
import { ConsecutionError, messageOf } from '../errors.js';
import { validateSpec } from '../nodes/validate.js';
import { isDefinedNode } from './define.js';
import { BatchProcessor } from './processor.js';
import { Progress } from './progress.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { crosses } from './clone.js';
import { salvage } from './salvage.js';
import { UnclonableWatch } from './unclonable.js';

/**
 * The worker side of the bridge, the same in a thread, a child process and inline: loads the
 * node's module, processes batches in order (awaiting async results), answers one message per
 * batch, and runs `end()` when told.
 */
export function createHandler(mode: Mode, post: (msg: FromWorker) => void): (msg: ToWorker) => void {
  let name = '';
  let processor: BatchProcessor | undefined;
  /** Inline only: what would not cross to a worker is warned of (there it fails, or changes). */
  let watch: UnclonableWatch | undefined;
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
      const spec = mod.default;
      name = msg.name;
      const options = validateSpec(name, spec);
      const progress = msg.progress === undefined ? undefined : new Progress(msg.progress);
      processor = new BatchProcessor(spec, name, options, msg.timeoutMs ?? 0, abort.signal, progress);
      if (mode === 'sync') watch = new UnclonableWatch(name);
      post({ t: 'ready', concurrency: options.concurrency });
      return;
    }
    if (msg.t === 'batch') {
      watch?.given(msg.values);
      const run = processor!.run(msg);
      const results = run instanceof Promise ? await run : run;
      watch?.pushed(msg.values, results);
      try {
        post(results);
      } catch (e) {
        // Some value pushed cannot be cloned: those items fail, the others' results go.
        post(salvage(mode, results, msg, name, e));
      }
      return;
    }
    const { outs, misuses, failure } = await processor!.end();
    watch?.ended(outs);
    try {
      post({ t: 'ended', outs, misuses, ...(failure === undefined ? {} : { error: toErrorInfo(failure.error) }) });
    } catch (e) {
      // A value end() pushed cannot be cloned: the others go, with an error that says so.
      const why = new ConsecutionError('NODE_FAILED', `node "${name}": a value end() pushed cannot be sent back from the worker: ${messageOf(e)}`, { node: name });
      post({ t: 'ended', outs: outs.filter((v) => crosses(mode, v)), misuses, error: toErrorInfo(failure === undefined ? why : failure.error) });
    }
    abort.abort();
  }
}
