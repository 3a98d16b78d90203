import { isLeft } from 'fp-ts/Either';
import { pathToFileURL } from 'node:url';
import { toErrorInfo } from '../acker/failure.js';
import { ConsecutionError } from '../errors.js';
import type { EndContext, NodeContext } from '../nodes/spec.js';
import { isDefinedNode, type DefinedNode } from './define.js';
import type { FromWorker, Outcome, ToWorker } from './protocol.js';

/**
 * The worker side of the bridge, the same in a thread, a child process and inline: loads the
 * node's module, processes batches in order (awaiting async results), answers one message per
 * batch, and runs `end()` when told.
 */
export function createHandler(post: (msg: FromWorker) => void): (msg: ToWorker) => void {
  let spec: DefinedNode<unknown, unknown> | undefined;
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
      post({ t: 'ready', name: spec.name });
      return;
    }
    const node = spec!;
    if (msg.t === 'batch') {
      const outcomes: Outcome[] = [];
      for (let i = 0; i < msg.values.length; i++) outcomes.push(await processOne(node, msg.values[i], msg.attempts[i]!));
      post({ t: 'results', outcomes });
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

  async function processOne(node: DefinedNode<unknown, unknown>, value: unknown, attempt: number): Promise<Outcome> {
    const retries = node.retries ?? 0;
    let last: unknown;
    for (let tries = 0; tries <= retries; tries++) {
      const outs: unknown[] = [];
      let settled: 'acked' | { error: unknown } | undefined;
      const ctx: NodeContext<unknown> = {
        node: node.name,
        attempt: attempt + tries,
        signal: abort.signal,
        push: (v) => void outs.push(v),
        write: () => {
          throw new ConsecutionError('NODE_FAILED', `node "${node.name}": ctx.write() is not available in an offloaded node; push values instead`);
        },
        ack: () => void (settled = 'acked'),
        fail: (error) => void (settled = { error }),
      };
      try {
        let r = node.process(value, ctx);
        if (r instanceof Promise) r = await r;
        if (settled === 'acked') return { outs };
        if (settled !== undefined) throw settled.error;
        if (r !== null && typeof r === 'object' && '_tag' in r && (r._tag === 'Left' || r._tag === 'Right')) {
          const either = r as Parameters<typeof isLeft>[0];
          if (isLeft(either)) return { error: toErrorInfo(new Error(JSON.stringify(either.left) ?? 'rejected')), reason: either.left, rejected: true };
          r = either.right;
        }
        if (r !== undefined) outs.push(r);
        return { outs };
      } catch (e) {
        last = e;
      }
    }
    return { error: toErrorInfo(last) };
  }
}
