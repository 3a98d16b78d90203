import type { z } from 'zod';
import { consecutorSchema } from './consecutor.js';
import { nodeSchemas } from './nodes.js';
import { sinkSchemas } from './sinks.js';
import { sourceSchemas } from './sources.js';

export { consecutorSchema, nodeSchemas, sinkSchemas, sourceSchemas };

/**
 * One zod schema per options object, by the name of what takes it: `consecutor` (the
 * Consecutor's options) and each source, sink and node a pipeline file can `use` with options.
 * Each one refuses unknown keys, so a misspelt option in a file is reported (with "did you mean"),
 * and `consecution schema` gives editors its keys, types and descriptions.
 *
 * @example
 * ```ts
 * optionSchemas.toHttp!.parse({ retries: 3, headers: { authorization: 'Bearer s3cret' } });
 * Object.keys(optionSchemas); // ['consecutor', 'fromFile', ..., 'print']
 * ```
 */
export const optionSchemas: Readonly<Record<string, z.ZodObject>> = {
  consecutor: consecutorSchema,
  ...sourceSchemas,
  ...sinkSchemas,
  ...nodeSchemas,
};
