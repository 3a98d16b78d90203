import { z } from 'zod';
import { optionsOf } from './options-of.js';

/** `source:` — a built-in source and its params. */
export const sourceEntry = z.looseObject({
  name: z.string().min(1).optional().describe("the source's name, which nodes may list as a parent @default 'source'"),
  use: z.string().min(1).describe('the built-in source: fromFile, fromStdin, fromHttp, fromZmq, fromInterval, fromCron, watchDirectory, fromPostgres'),
});

/** One entry of `nodes:` — its name, what it uses, its parents; its params beside them. */
export const nodeEntry = z.looseObject({
  name: z.string().min(1).describe('its name in metrics, errors and parents lists; unique in the file'),
  use: z.string().min(1).describe('a built-in (a node, an operator, a sink) or a module path whose default export is defineNode(...)'),
  parents: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('the nodes (or the source) it reads: several are merged @default the node before it (the first node: the source)'),
});

/** The Consecutor options a file can give (not the ones that only code can: outputs, clock). */
export function fileOptions(): z.ZodObject {
  return optionsOf('consecutor')
    .omit({ outputs: true, clock: true })
    .extend({ store: z.union([z.string().min(1), z.strictObject({ path: z.string().min(1) })]).optional().describe('a durable store: the directory of its LMDB journal') });
}

/** A pipeline file's shape, before each entry's params are checked against its built-in. */
export function pipelineFile(): z.ZodObject {
  return fileOptions().extend({
    name: z.string().min(1).optional().describe("the pipeline's name @default the file's name"),
    source: sourceEntry,
    nodes: z.array(nodeEntry).min(1).describe('the nodes, in any order that lists parents before children, or with parents given'),
    deadLetter: z
      .looseObject({ use: z.string().min(1).describe('a built-in sink: where dead letters (failure records) go') })
      .optional()
      .describe('where dead letters go, e.g. { use: toFile, path: dead-letters.ndjson }'),
  });
}
