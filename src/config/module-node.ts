import { z } from 'zod';

/** The params of a node that `use`s a module (its default export `defineNode(...)`): offload()'s options. */
export function moduleNodeParams(): z.ZodObject {
  return z.strictObject({
    parallelism: z.int().min(1).optional().describe('workers in its pool (thread and process modes) @default 2'),
    batch: z.int().min(1).optional().describe('items per message to a worker @default 256'),
    mode: z.enum(['sync', 'thread', 'process']).optional().describe("where it runs; overrides the file's mode"),
    maxRestarts: z.int().min(0).optional().describe('worker deaths within 10 s after which the run fails with WORKER_CRASHED @default 5'),
  });
}
