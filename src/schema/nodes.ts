import { z } from 'zod';
import { atLeast } from './common.js';

/**
 * The schemas of the options objects of the built-in nodes a pipeline file can use with options
 * (readFile, writeFile, print), with the ranges their own checks take; not print's `stream` (only
 * code can give one), nor writeFile's `dir` (a positional param, which its built-in adds).
 * Unknown keys are refused. In a file, `name` is the node's own.
 *
 * @example
 * ```ts
 * nodeSchemas.readFile.parse({ as: 'buffer', concurrency: 8 });
 * nodeSchemas.writeFile.safeParse({ concurency: 2 }).success; // false: unrecognized_keys
 * ```
 */
export const nodeSchemas = {
  readFile: z.strictObject({
    as: z.enum(['text', 'buffer']).optional().describe("text: the content as a UTF-8 string; buffer: as its bytes @default 'text'"),
    name: z.string().optional().describe("the node's name in metrics and errors @default 'readFile'"),
    concurrency: atLeast(1, 'files read at once @default 4'),
  }),
  writeFile: z.strictObject({
    name: z.string().optional().describe("the node's name in metrics and errors @default 'writeFile'"),
    concurrency: atLeast(1, 'files written at once @default 4'),
  }),
  print: z.strictObject({
    name: z.string().optional().describe("the node's name in metrics and errors @default 'print'"),
  }),
} satisfies Readonly<Record<string, z.ZodObject>>;
