import type { z } from 'zod';
import { optionSchemas } from '../schema/index.js';

/**
 * The schema of the options object of `name` (a built-in, or 'consecutor'): see
 * {@link optionSchemas}. An unknown name is a programming error.
 *
 * @example
 * ```ts
 * import { optionsOf } from './options-of.js';
 *
 * const params = optionsOf('toFile').extend({}); // toFile's built-in adds its path
 * ```
 */
export function optionsOf(name: string): z.ZodObject {
  const schema = Object.hasOwn(optionSchemas, name) ? optionSchemas[name] : undefined;
  if (schema === undefined) throw new Error(`optionsOf(): no options schema named ${JSON.stringify(name)}; known: ${Object.keys(optionSchemas).join(', ')}`);
  return schema;
}
