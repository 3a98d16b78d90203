import type { Journal } from '../store/store.js';
import type { Clock } from '../types.js';
import type { SourceContext } from './source.js';

/**
 * The context a run opens its source with: its clock, and the source's state kept in the run's
 * store as the checkpoint named `source:<name>` (beside the stateful nodes' checkpoints), and the
 * signal aborted when the run ends.
 */
export function sourceContext(store: Journal, name: string, clock: Clock, signal?: AbortSignal): SourceContext {
  const key = `source:${name}`;
  return {
    clock,
    ...(signal === undefined ? {} : { signal }),
    state: {
      restore: () => store.restore(key)?.state,
      save: (value) => store.checkpoint(key, { state: value, folded: [] }),
    },
  };
}
