import { z } from 'zod';
import { nodeBuiltins, sinks, sources, type Builtin } from './builtins/index.js';
import { fileOptions, nodeEntry, sourceEntry } from './format.js';
import { moduleNodeParams } from './module-node.js';

const withUse = (table: Readonly<Record<string, Builtin>>, extra: z.ZodRawShape) =>
  Object.entries(table).map(([use, b]) => b.params.extend({ use: z.literal(use).describe(b.summary), ...extra }));

/**
 * The JSON Schema of a pipeline file, for editors (`consecution schema > pipeline.schema.json`; in
 * VS Code's YAML extension: `# yaml-language-server: $schema=./pipeline.schema.json`): every key,
 * each built-in's params chosen by its `use`, with descriptions and defaults. The same zod schemas
 * validate the file when it runs.
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { pipelineJsonSchema } from './schema.js';
 *
 * writeFileSync('pipeline.schema.json', JSON.stringify(pipelineJsonSchema(), null, 2));
 * ```
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const node = { name: nodeEntry.shape.name, parents: nodeEntry.shape.parents };
  const moduleNode = moduleNodeParams().extend({
    ...node,
    use: z.string().regex(/^(\.{1,2}\/|\/|file:)/).describe('a module path whose default export is defineNode(...), relative to this file'),
  });
  const file = fileOptions().extend({
    name: z.string().min(1).optional().describe("the pipeline's name @default the file's name"),
    source: z.union(withUse(sources, { name: sourceEntry.shape.name })).describe('where items come from'),
    nodes: z.array(z.union([...withUse(nodeBuiltins, node), moduleNode])).min(1).describe('the nodes; each reads its parents (default: the node before it)'),
    deadLetter: z.union(withUse(sinks, {})).optional().describe('where dead letters go'),
  });
  return { ...z.toJSONSchema(file, { unrepresentable: 'any', io: 'input' }), title: 'consecution pipeline file' };
}
