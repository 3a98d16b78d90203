import { z } from 'zod';
import { atLeast, flag, timeoutMs } from './common.js';

/**
 * The schema of the Consecutor's options (`ConsecutorOptions`), with the ranges `resolveOptions`
 * checks. `outputs` and `clock` are anything here (only code can give them: a pipeline file's
 * schema leaves them out, and `resolveOptions` checks them); so is the one rule across keys,
 * `retries` only under `replay`, which `resolveOptions` checks with its own message.
 *
 * @example
 * ```ts
 * consecutorSchema.parse({ guarantee: 'replay', retries: 1, store: { path: './state' } });
 * consecutorSchema.safeParse({ maxPendng: 10 }).success; // false: unrecognized_keys
 * ```
 */
export const consecutorSchema = z.strictObject({
  guarantee: z.enum(['none', 'confirm', 'track', 'replay']).optional().describe("what is tracked and promised: see the README's table @default 'track'"),
  retries: atLeast(0, 'under replay: how many times a failed item runs again before it is dead-lettered (only with guarantee replay) @default 3'),
  timeoutMs: timeoutMs("an item not completely processed within this many ms fails with ACK_TIMEOUT (at most 2147483647, a Node.js timer's longest) @default 30000"),
  drainMs: timeoutMs('after a stop: how long the items in flight get to settle; past it the run ends and what has not settled stays pending @default timeoutMs'),
  maxPending: atLeast(1, 'the most input items in flight at once; the source is paused beyond it @default 1000'),
  outputs: z.record(z.string(), z.any()).optional().describe("named outputs: anything with append(value, meta) or push(value); deadLetter receives dead letters, default what leaves the pipeline's end"),
  keepFailures: atLeast(0, 'how many failure records the report keeps (the last ones) @default 100'),
  checks: flag('whether check() stages run @default true'),
  metrics: flag('whether the run keeps its gauges (busy, rate, latency, slowest); counts are kept either way @default true'),
  mode: z.enum(['sync', 'thread', 'process']).optional().describe("where offloaded nodes run @default 'sync'"),
  store: z
    .object({ path: z.string().min(1).describe('the directory of its LMDB journal') })
    .optional()
    .describe('a durable store (LMDB in this directory): items are journaled before they are admitted; needs a tracked guarantee @default in memory: nothing survives the process'),
  clock: z.any().optional().describe('where the run reads the time and sets its timers (a VirtualClock in tests) @default the system clock'),
});
