import type { Envelope } from '../envelope/envelope.js';
import type { OutputSet } from '../outputs/set.js';
import type { Writes } from '../outputs/writes.js';

/**
 * The end of the pipeline: what leaves it is written to the `default` output, if anything takes
 * its values, and acked once the write is confirmed (the confirmed-write path, see Writer);
 * otherwise acked at once, with nothing allocated.
 */
export function terminalOf(channels: OutputSet, writes: Writes): (env: Envelope<unknown>) => void {
  const ch = channels.get('default');
  if (ch?.requested !== true) return ackEnd;
  const out = writes.writer(ch, { node: 'default' });
  return (env) => out.write(env.value, env.anchor, env.hi, env.lo, env.attempt);
}

function ackEnd(env: Envelope<unknown>): void {
  env.anchor.ackEdge(env.hi, env.lo, env.attempt);
}
