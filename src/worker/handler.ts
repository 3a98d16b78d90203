import { pathToFileURL } from 'node:url';
import { toErrorInfo } from '../acker/failure.js';
import { isEither, isLeft } from '../nodes/either.js';
import { ConsecutionError } from '../errors.js';
import type { EndContext, NodeContext } from '../nodes/spec.js';
import { isDefinedNode, type DefinedNode } from './define.js';
import { Column } from './column.js';
import type { Batch, Failed, FromWorker, ToWorker } from './protocol.js';

/**
 * The worker side of the bridge, the same in a thread, a child process and inline: loads the
 * node's module, processes batches in order (awaiting async results), answers one message per
 * batch, and runs `end()` when told.
 */
export function createHandler(post: (msg: FromWorker) => void): (msg: ToWorker) => void {
  let spec: DefinedNode<unknown, unknown> | undefined;
  let chain: Promise<void> = Promise.resolve();
  const abort = new AbortController();
  const context = new ItemContext(abort.signal);
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
      post({ t: 'ready', name: spec.name });
      return;
    }
    const node = spec!;
    if (msg.t === 'batch') {
      const results: Building = { counts: undefined, outs: new Column(msg.values.length), failed: [] };
      await processFrom(node, msg, results, 0);
      post({ t: 'results', counts: results.counts, outs: results.outs.seal(), failed: results.failed });
      return;
    }
    const outs: unknown[] = [];
    const ctx: EndContext<unknown> = {
      node: node.name,
      signal: abort.signal,
      push: (v) => outs.push(v),
      write: () => {
        throw new ConsecutionError('NODE_FAILED', `node "${node.name}": ctx.write() is not available in an offloaded node; push values instead`);
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

  /**
   * Processes the batch's items from `from` on, in order, into `results`. Synchronous while the
   * node is (no promise or microtask per item); from the first item whose process() returns a
   * promise on, it goes on when that settles.
   */
  function processFrom(node: DefinedNode<unknown, unknown>, batch: Batch, results: Building, from: number): Promise<void> | undefined {
    for (let i = from; i < batch.values.length; i++) {
      const o = processOne(node, batch.values[i], batch.attempts?.[i] ?? 0, 0, results.outs);
      if (o instanceof Promise) {
        return o.then((settled) => {
          record(results, i, settled);
          return processFrom(node, batch, results, i + 1);
        });
      }
      record(results, i, o);
    }
    return undefined;
  }

  /** One try of one item (the node's local retries follow on failure), appending what it pushed to `outs`. */
  function processOne(node: DefinedNode<unknown, unknown>, value: unknown, attempt: number, tries: number, outs: Column): Outcome | Promise<Outcome> {
    const start = outs.length;
    const ctx = context.reset(node.name, attempt + tries, outs);
    let r: unknown;
    try {
      r = node.process(value, ctx);
      if (!(r instanceof Promise)) return settle(ctx, r, start, outs);
    } catch (e) {
      return again(node, value, attempt, tries, outs, start, e);
    }
    return r.then((v) => settle(ctx, v, start, outs)).catch((e: unknown) => again(node, value, attempt, tries, outs, start, e));
  }

  /** A try threw or rejected: its pushes are dropped; the next local retry, or the failure. */
  function again(node: DefinedNode<unknown, unknown>, value: unknown, attempt: number, tries: number, outs: Column, start: number, e: unknown): Outcome | Promise<Outcome> {
    outs.truncate(start);
    if (tries < (node.retries ?? 0)) return processOne(node, value, attempt, tries + 1, outs);
    return { error: toErrorInfo(e) };
  }
}

/** The results of a batch being built: `counts` stays undefined while every item pushed one value. */
interface Building {
  counts: number[] | undefined;
  readonly outs: Column;
  readonly failed: Failed[];
}

/** How many values an item pushed, or why it failed. */
type Outcome = number | Failed;

function record(results: Building, i: number, o: Outcome): void {
  if (o === 1 && results.counts === undefined) return;
  if (results.counts === undefined) {
    results.counts = [];
    for (let j = 0; j < i; j++) results.counts.push(1);
  }
  if (typeof o === 'number') results.counts.push(o);
  else {
    results.counts.push(-1);
    results.failed.push(o);
  }
}

/** What a try returned, once the node is done with the item; throws what the node failed it with. */
function settle(ctx: ItemContext, r: unknown, start: number, outs: Column): Outcome {
  if (ctx.settled === ACKED) return outs.length - start;
  if (ctx.settled !== undefined) throw ctx.settled.error;
  if (isEither(r)) {
    if (isLeft(r)) {
      outs.truncate(start);
      return { error: toErrorInfo(new Error('rejected')), reason: r.left, rejected: true };
    }
    r = r.right;
  }
  if (r !== undefined) outs.push(r);
  return outs.length - start;
}

const ACKED = 'acked';

/**
 * The context a worker's node gets: one object reused for every item (the items of a batch are
 * processed one after the other), so that no closure is made per item.
 */
class ItemContext implements NodeContext<unknown> {
  node = '';
  attempt = 0;
  settled: typeof ACKED | { error: unknown } | undefined = undefined;
  private outs = new Column(0);
  readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  reset(node: string, attempt: number, outs: Column): this {
    this.node = node;
    this.attempt = attempt;
    this.settled = undefined;
    this.outs = outs;
    return this;
  }

  push(value: unknown): void {
    this.outs.push(value);
  }

  write(): void {
    throw new ConsecutionError('NODE_FAILED', `node "${this.node}": ctx.write() is not available in an offloaded node; push values instead`);
  }

  ack(): void {
    this.settled = ACKED;
  }

  fail(error: unknown): void {
    this.settled = { error };
  }
}
