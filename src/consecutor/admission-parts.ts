import type { UntrackedAnchor } from '../acker/untracked.js';
import type { Acker } from '../acker/acker.js';
import type { Source } from '../sources/source.js';
import type { NodeRegistry } from '../stage/stage-context.js';
import type { Journal } from '../store/store.js';
import type { Clock } from '../types.js';
import type { Stopping } from './stop.js';
import type { Writes } from '../outputs/writes.js';

/** What the admission of one run works with (see {@link Admission}). */
export interface AdmissionParts {
  readonly source: Source<unknown>;
  readonly store: Journal;
  /** The run's clock: the stall check is a timer on it. */
  readonly clock: Clock;
  /** The run's acker; undefined under 'none'. */
  readonly acker: Acker | undefined;
  /** The anchor of untracked items (under 'none'). */
  readonly untracked: UntrackedAnchor;
  readonly maxPending: number;
  readonly stopping: Stopping;
  /** The stages' flushes of partial batches (see StageContext.onDrain); the run's own array, shared. */
  readonly drainers: readonly (() => void)[];
  /** The nodes, asked whether work is in flight before a stall is declared. */
  readonly registry: NodeRegistry;
  /** The writes the run waits for: while any is awaited, there is no stall. */
  readonly writes: Writes;
  /** Ends the run with an error. */
  readonly fatal: (e: unknown) => void;
  /** Called once when the input ends (the source ended, or the run was stopped), before the flushes. */
  readonly drained: () => void;
}
