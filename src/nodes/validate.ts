import { optionReader, rejectUnknown, type OptionReader } from '../stage/args.js';
import { NODE_SPEC_KEYS, type NodeSpec } from './spec.js';

/** Validates a node spec at once; returns its numeric options with defaults applied. */
export function validateSpec(name: string, spec: NodeSpec<unknown, unknown>): { concurrency: number; retries: number; timeoutMs: number } {
  const subject = (key: string) => `node "${name}": ${key}`;
  if (spec === null || typeof spec !== 'object') optionReader({}, subject, name).bad('its spec', 'an object with a process() method', spec);
  // Only a literal's keys are all options: an instance of a class keeps its state in fields.
  const proto: unknown = Object.getPrototypeOf(spec);
  if (proto === Object.prototype || proto === null) rejectUnknown(`node "${name}"`, spec, NODE_SPEC_KEYS, name);
  const r: OptionReader = optionReader(spec, subject, name);
  if (typeof spec.process !== 'function') r.bad('process', 'a function', spec.process);
  if (spec.end !== undefined && typeof spec.end !== 'function') r.bad('end', 'a function', spec.end);
  return { concurrency: r.integer('concurrency', 1, 1), retries: r.integer('retries', 0, 0), timeoutMs: r.timeout('timeoutMs', 0) };
}
