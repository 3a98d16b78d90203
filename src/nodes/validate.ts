import { optionReader, type OptionReader } from '../stage/args.js';
import type { NodeSpec } from './spec.js';

/** Validates a node spec at once; returns its numeric options with defaults applied. */
export function validateSpec(name: string, spec: NodeSpec<unknown, unknown>): { concurrency: number; retries: number; timeoutMs: number } {
  const subject = (key: string) => `node "${name}": ${key}`;
  if (spec === null || typeof spec !== 'object') optionReader({}, subject, name).bad('its spec', 'an object with a process() method', spec);
  const r: OptionReader = optionReader(spec, subject, name);
  if (typeof spec.process !== 'function') r.bad('process', 'a function', spec.process);
  if (spec.end !== undefined && typeof spec.end !== 'function') r.bad('end', 'a function', spec.end);
  return { concurrency: r.integer('concurrency', 1, 1), retries: r.integer('retries', 0, 0), timeoutMs: r.timeout('timeoutMs', 0) };
}
