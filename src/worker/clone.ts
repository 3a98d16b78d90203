import { serialize } from 'node:v8';
import type { Mode } from '../consecutor/options.js';

/**
 * Whether a value can cross to (or from) a worker of this mode: the structured clone for a
 * thread, V8's serializer (`advanced` serialization) for a child process, anything inline. Used
 * only once a message has failed to go, to tell which items of it were the cause.
 */
export function crosses(mode: Mode, value: unknown): boolean {
  if (mode === 'sync') return true;
  try {
    if (mode === 'thread') structuredClone(value);
    else serialize(value);
    return true;
  } catch {
    return false;
  }
}
