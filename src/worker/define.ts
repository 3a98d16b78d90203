import { ConsecutionError, preview } from '../errors.js';
import type { NodeSpec } from '../nodes/spec.js';
import { validateSpec } from '../nodes/validate.js';

const DEFINED = Symbol.for('consecution.defineNode');

/** A node spec defined in its own module, so that it can run in a worker. */
export type DefinedNode<I, O> = NodeSpec<I, O> & { readonly name: string; readonly [DEFINED]: true };

/**
 * Defines a node in its own module (as the module's default export), so that `offload()` can run
 * it in worker threads or child processes. The spec is the one `node()` takes; its `name` names
 * it in the errors this call throws for a bad spec. In a run the node is named where it is wired:
 * by offload()'s first argument, or else by the module's file name.
 *
 * @example
 * ```ts
 * interface Pair { from: string; to: string }
 * interface Located { pair: Pair; km: number }
 * declare function lookUp(pair: Pair): Promise<Located>;
 * // geocode.ts
 * export default defineNode({ name: 'geocode', process: (pair: Pair) => lookUp(pair) });
 * // pipeline.ts
 * const p = pipe(offload('geocode', new URL('./geocode.ts', import.meta.url), { parallelism: 2 }), output('located'));
 * ```
 */
export function defineNode<I, O>(spec: NodeSpec<I, O> & { readonly name: string }): DefinedNode<I, O> {
  if (spec === null || typeof spec !== 'object' || typeof spec.process !== 'function') {
    throw new ConsecutionError('OPTIONS_INVALID', `defineNode(): expected a spec with a process() method, got ${preview(spec)}`);
  }
  if (typeof spec.name !== 'string' || spec.name.length === 0) {
    throw new ConsecutionError('OPTIONS_INVALID', `defineNode(): the spec needs a name (it names the spec in errors), got ${preview(spec.name)}`);
  }
  validateSpec(spec.name, spec);
  return Object.freeze({ ...spec, [DEFINED]: true as const });
}

/** Whether a module's default export came from {@link defineNode}. */
export function isDefinedNode(x: unknown): x is DefinedNode<unknown, unknown> {
  return x !== null && typeof x === 'object' && (x as Record<symbol, unknown>)[DEFINED] === true;
}
