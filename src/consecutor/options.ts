import type { Guarantee } from '../acker/tracker.js';
import { ConsecutionError, preview } from '../errors.js';
import { checkTarget, type OutputTarget } from '../outputs/channel.js';
import { rejectUnknown } from '../stage/args.js';

/** Where offloaded nodes run. */
export type Mode = 'sync' | 'thread' | 'process';

/** Options of a {@link Consecutor}. Every one is validated when the consecutor is built. */
export interface ConsecutorOptions {
  /** What is tracked and promised: see the README's table. @default 'track' */
  readonly guarantee?: Guarantee;
  /** Under `replay`: how many times a failed item runs again before it is dead-lettered. @default 3 */
  readonly retries?: number;
  /** An item not completely processed within this many ms fails with `ACK_TIMEOUT`. @default 30000 */
  readonly timeoutMs?: number;
  /** The most input items in flight at once; the source is paused beyond it (tracked levels: `none` tracks nothing to count). @default 1000 */
  readonly maxPending?: number;
  /** Named outputs: anything with `append()` or `push()`. `deadLetter` receives dead letters; `default` what leaves the pipeline's end. */
  readonly outputs?: Readonly<Record<string, OutputTarget<never>>>;
  /** How many failure records the report keeps (the last ones). @default 100 */
  readonly keepFailures?: number;
  /** Whether `check()` stages run. @default true */
  readonly checks?: boolean;
  /** Where offloaded nodes run. @default 'sync' */
  readonly mode?: Mode;
  /**
   * A durable store (LMDB in this directory): items are journaled before they are admitted, and a
   * run started on it first replays what a killed run left pending, then resumes its source.
   * Needs a tracked guarantee. @default in memory: nothing survives the process
   */
  readonly store?: { readonly path: string };
}

export interface ResolvedOptions {
  readonly guarantee: Guarantee;
  readonly retries: number;
  readonly timeoutMs: number;
  readonly maxPending: number;
  readonly outputs: ReadonlyMap<string, OutputTarget>;
  readonly keepFailures: number;
  readonly checks: boolean;
  readonly mode: Mode;
  readonly store: { readonly path: string } | undefined;
}

const GUARANTEES: readonly Guarantee[] = ['none', 'confirm', 'track', 'replay'];
const MODES: readonly Mode[] = ['sync', 'thread', 'process'];
const KNOWN = ['guarantee', 'retries', 'timeoutMs', 'maxPending', 'outputs', 'keepFailures', 'checks', 'mode', 'store'];

function bad(key: string, expected: string, value: unknown): never {
  throw new ConsecutionError(
    'OPTIONS_INVALID',
    `Consecutor option ${key} must be ${expected}, got ${typeof value} ${preview(value)}`,
  );
}

function integer(options: Record<string, unknown>, key: string, min: number, fallback: number): number {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(key, `an integer >= ${min}`, v);
  return v;
}

function oneOf<T extends string>(options: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const v = options[key];
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T)) bad(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  return v as T;
}

/** Validates options at once, with messages that show the bad value. */
export function resolveOptions(options: ConsecutorOptions | undefined): ResolvedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') bad('(options)', 'an object', options);
  const o = options as Record<string, unknown>;
  rejectUnknown('Consecutor', o, KNOWN);
  const outputs = new Map<string, OutputTarget>();
  if (o.outputs !== undefined) {
    if (o.outputs === null || typeof o.outputs !== 'object') bad('outputs', 'an object of named outputs', o.outputs);
    for (const [name, target] of Object.entries(o.outputs)) outputs.set(name, checkTarget(name, target));
  }
  if (o.checks !== undefined && typeof o.checks !== 'boolean') bad('checks', 'a boolean', o.checks);
  const guarantee = oneOf(o, 'guarantee', GUARANTEES, 'track');
  let store: { path: string } | undefined;
  if (o.store !== undefined) {
    const path: unknown = o.store !== null && typeof o.store === 'object' ? (o.store as Record<string, unknown>).path : undefined;
    if (typeof path !== 'string' || path.length === 0) bad('store', 'an object { path: string }', o.store);
    if (guarantee === 'none') bad('store', "used with a tracked guarantee (not 'none': nothing could be forgotten once done)", o.store);
    store = { path };
  }
  return {
    guarantee,
    store,
    retries: integer(o, 'retries', 0, 3),
    timeoutMs: integer(o, 'timeoutMs', 1, 30_000),
    maxPending: integer(o, 'maxPending', 1, 1_000),
    keepFailures: integer(o, 'keepFailures', 0, 100),
    checks: o.checks !== false,
    mode: oneOf(o, 'mode', MODES, 'sync'),
    outputs,
  };
}
