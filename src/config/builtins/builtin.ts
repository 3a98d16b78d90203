import { resolve } from 'node:path';
import { z } from 'zod';
import type { Node } from '../../envelope/envelope.js';
import type { OutputTarget } from '../../outputs/target.js';
import type { Source } from '../../sources/source.js';

/**
 * What a built-in makes: the run's source, a node of the pipeline, a sink (an output target), or a
 * route (the function that names, for each item, the child that gets it).
 */
export type BuiltinKind = 'source' | 'node' | 'sink' | 'route';

/** What a built-in's `build` is given besides its params. */
export interface BuildContext {
  /** The node's name in the file (a source: 'source'). */
  readonly name: string;
  /** The directory relative paths resolve against: the pipeline file's. */
  readonly dir: string;
  /** Loads the function a param names: `./big.js` (its default export) or `./big.js#isBig`. */
  load(key: string, spec: string): Promise<(...args: never[]) => unknown>;
  /** The URL of a module a param names, resolved against `dir`. */
  url(spec: string): URL;
}

/** What building gives, by kind. */
export interface Built {
  source: Source<unknown>;
  node: Node<any, unknown>;
  sink: OutputTarget<never>;
  route: (value: unknown) => string | number;
}

/**
 * One built-in a pipeline file can `use`: its kind, the schema of its params (positional args and
 * options in one object, as the file writes them), which of them are paths, and how it is built.
 */
export interface Builtin<K extends BuiltinKind = BuiltinKind> {
  readonly kind: K;
  /** One line for `consecution schema` and editors. */
  readonly summary: string;
  readonly params: z.ZodObject;
  /** Params that are paths on disk: resolved against the file's directory before `build`. */
  readonly paths?: readonly string[];
  build(params: Record<string, unknown>, ctx: BuildContext): Built[K] | Promise<Built[K]>;
}

/** Declares a built-in (typed by kind). */
export function builtin<K extends BuiltinKind>(b: Builtin<K>): Builtin<K> {
  return b;
}

/** `params` with the named path params resolved against `dir`. */
export function resolvePaths(params: Record<string, unknown>, paths: readonly string[] | undefined, dir: string): Record<string, unknown> {
  if (paths === undefined) return params;
  const out = { ...params };
  for (const key of paths) if (typeof out[key] === 'string') out[key] = resolve(dir, out[key]);
  return out;
}

/** Splits a built-in's params into its positional args and its options object. */
export function take<K extends string>(params: Record<string, unknown>, ...keys: K[]): [Record<K, any>, Record<string, unknown>] {
  const rest = { ...params };
  const taken = {} as Record<K, unknown>;
  for (const k of keys) {
    taken[k] = rest[k];
    delete rest[k];
  }
  return [taken, rest];
}

/** A non-empty string param with a description. */
export const text = (description: string) => z.string().min(1).describe(description);
