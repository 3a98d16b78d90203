import { ConsecutionError, preview } from '../errors.js';
import type { NodeSpec } from './spec.js';

function bad(node: string, key: string, expected: string, value: unknown): never {
  throw new ConsecutionError('OPTIONS_INVALID', `node "${node}": ${key} must be ${expected}, got ${typeof value} ${preview(value)}`, {
    node,
  });
}

/** Validates a node spec at once; returns its numeric options with defaults applied. */
export function validateSpec(name: string, spec: NodeSpec<unknown, unknown>): { concurrency: number; retries: number; timeoutMs: number } {
  if (spec === null || typeof spec !== 'object') bad(name, 'its spec', 'an object with a process() method', spec);
  if (typeof spec.process !== 'function') bad(name, 'process', 'a function', spec.process);
  if (spec.end !== undefined && typeof spec.end !== 'function') bad(name, 'end', 'a function', spec.end);
  const int = (key: 'concurrency' | 'retries' | 'timeoutMs', min: number, fallback: number) => {
    const v = spec[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(name, key, `an integer >= ${min}`, v);
    return v;
  };
  return { concurrency: int('concurrency', 1, 1), retries: int('retries', 0, 0), timeoutMs: int('timeoutMs', 1, 0) };
}
