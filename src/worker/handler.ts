import { isLeft } from 'fp-ts/lib/Either.js';
import { pathToFileURL } from 'node:url';
import { toErrorInfo } from '../acker/failure.js';
import { isEither } from '../nodes/either.js';
import { ConsecutionError } from '../errors.js';
import type { EndContext, NodeContext } from '../nodes/spec.js';
import { isDefinedNode, type DefinedNode } from './define.js';
import type { Failed, FromWorker, ToWorker } from './protocol.js';

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
      const counts: number[] = [];
      const outs: unknown[] = [];
      const failed: Failed[] = [];
      for (let i = 0; i < msg.values.length; i++) {
        const r = await processOne(node, msg.values[i], msg.attempts[i]!, outs);
        if (typeof r === 'number') counts.push(r);
        else {
          counts.push(-1);
          failed.push(r);
        }
      }
      post({ t: 'results', counts, outs, failed });
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

  /** Processes one item (with the node's local retries), appending what it pushed to `outs`. */
  async function processOne(node: DefinedNode<unknown, unknown>, value: unknown, attempt: number, outs: unknown[]): Promise<number | Failed> {
    const retries = node.retries ?? 0;
    let last: unknown;
    for (let tries = 0; tries <= retries; tries++) {
      const start = outs.length;
      const ctx = context.reset(node.name, attempt + tries, outs);
      try {
        let r = node.process(value, ctx);
        if (r instanceof Promise) r = await r;
        if (ctx.settled === ACKED) return outs.length - start;
        if (ctx.settled !== undefined) throw ctx.settled.error;
        if (isEither(r)) {
          if (isLeft(r)) {
            outs.length = start;
            return { error: toErrorInfo(new Error('rejected')), reason: r.left, rejected: true };
          }
          r = r.right;
        }
        if (r !== undefined) outs.push(r);
        return outs.length - start;
      } catch (e) {
        outs.length = start;
        last = e;
      }
    }
    return { error: toErrorInfo(last) };
  }
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
  private outs: unknown[] = [];
  readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
  }

  reset(node: string, attempt: number, outs: unknown[]): this {
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
