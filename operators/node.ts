import {
  ConsecutionError,
  NodeRunner,
  operate,
  preview,
  validateSpec,
  type InferredOutput,
  type InferredSpec,
  type Node,
  type NodeContext,
  type NodeSpec,
} from '../src/core.js';

/**
 * A user node (Storm's bolt) from a spec or a {@link BaseNode} instance: `process(value, ctx)`,
 * sync or async, is called for every item; its return value (unless `undefined`) is pushed,
 * `ctx.push()` pushes more; returning acks the item, throwing or rejecting fails it; returning an
 * fp-ts `Left` fails it with the Left as the failure's reason. `end(ctx)` runs once at the end.
 * A spec written as an object may have only the keys of {@link NodeSpec} (a misspelt one is an
 * error); keep state in a closure, or write a class, whose own fields are its state.
 *
 * The output type is what `process` returns. A node that only pushes takes it from its `ctx`'s
 * type (`ctx: NodeContext<Located>`) or from `node<Pair, Located>(...)`; its pushes are then
 * checked against it (without either, the output is `unknown`).
 *
 * @example
 * ```ts
 * interface Pair { from: string; to: string }
 * interface Located { pair: Pair; km: number }
 * interface Order { id: number; address: string }
 * declare function lookUp(pair: Pair, signal: AbortSignal): Promise<Located>;
 * declare function country(order: Order, signal: AbortSignal): Promise<string>;
 * const geocode = node('geocode', {
 *   concurrency: 8, timeoutMs: 5_000, retries: 2,
 *   async process(pair: Pair, ctx: NodeContext<Located>) { ctx.push(await lookUp(pair, ctx.signal)) },
 * });
 * const enrich = node('enrich', { async process(order: Order, ctx) { return { ...order, country: await country(order, ctx.signal) } } });
 * ```
 */
export function node<I, O, C extends NodeContext<any> = NodeContext<O>>(spec: InferredSpec<I, O, C>): Node<I, InferredOutput<O, C>>;
export function node<I, O, C extends NodeContext<any> = NodeContext<O>>(name: string, spec: InferredSpec<I, O, C>): Node<I, InferredOutput<O, C>>;
export function node<I, O>(first: string | NodeSpec<I, O>, second?: NodeSpec<I, O>): Node<I, O> {
  const spec = typeof first === 'string' ? second : first;
  const name = typeof first === 'string' ? first : spec?.name;
  if (spec === null || typeof spec !== 'object') {
    throw new ConsecutionError('OPTIONS_INVALID', `node(${name === undefined ? '' : `"${name}"`}): expected a spec with a process() method, got ${preview(spec)}`);
  }
  const options = validateSpec(name ?? 'node', spec);
  return operate<I, O>('node', name, (h, stats) => (out) => {
    const runner = new NodeRunner(spec, stats, h, out, options);
    return { next: (env) => runner.next(env), complete: () => runner.complete() };
  });
}
