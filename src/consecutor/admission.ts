import type { Root } from '../acker/root.js';
import type { Acker } from '../acker/acker.js';
import type { FailureRecord } from '../acker/failure.js';
import { Envelope } from '../envelope/envelope.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { Source, SourceReader } from '../sources/source.js';
import type { AdmissionParts } from './admission-parts.js';
import type { UntrackedAnchor } from '../acker/untracked.js';
import type { Stopping } from './stop.js';
import { BlockedTime } from './blocked.js';
import { GroupCommit } from './group-commit.js';
import { StallCheck } from './stall.js';
import type { Sink } from '../stage/link.js';

/**
 * The pump of one run: pulls the source while fewer than `maxPending` items are pending, journals
 * what it read in one group commit (durable stores) before admitting it, sends replays in first,
 * flushes partial batches when the run stalls at maxPending, and completes the input at the end.
 */
export class Admission {
  /** The pipeline's input; undefined before it is subscribed and once it completed. */
  input: Sink<Envelope<unknown>> | undefined;
  reader: SourceReader<unknown> | undefined;
  /** Whether the reader is told of completed items (SourceReader.confirm). */
  private confirms = false;
  /** Whether the reader is told of admitted items (SourceReader.admitted). */
  private admits = false;
  /** Roots to send in again (replays, and the journal's after a restart), before new reads. */
  readonly replays: Root[] = [];
  /** Items read under 'none' (there is no acker to count them). */
  untrackedIngested = 0;

  private readonly source: Source<unknown>;
  /** Whether items are journaled before they enter (Journal.durable). */
  private readonly durable: boolean;
  private readonly acker: Acker | undefined;
  private readonly untracked: UntrackedAnchor;
  private readonly maxPending: number;
  private readonly stopping: Stopping;
  private readonly drainers: readonly (() => void)[];
  private readonly fatal: (e: unknown) => void;
  private readonly drained: () => void;
  /** What a read that returned a promise gave, for the pump to admit first (see {@link awaitRead}). */
  private ready: IteratorResult<unknown, unknown> | undefined;
  /** Roots read from a durable run's source, waiting for their journal commit before they are admitted. */
  private readonly commit: GroupCommit;
  /** Roots kept pending, unsent, after a stop (a replay due then): they are the next run's. */
  private setAside = 0;
  /** Stages holding the source back (see StageContext.holdSource). */
  private holds = 0;
  private sourceDone = false;
  private reading = false;
  private pumping = false;
  private wakeScheduled = false;
  private readonly stall: StallCheck;
  /** Time the source waited at maxPending. */
  readonly blocked: BlockedTime;
  private finished = false;

  constructor(parts: AdmissionParts) {
    this.source = parts.source;
    this.durable = parts.store.durable;
    this.acker = parts.acker;
    this.untracked = parts.untracked;
    this.maxPending = parts.maxPending;
    this.stopping = parts.stopping;
    this.drainers = parts.drainers;
    this.stall = new StallCheck(parts);
    this.blocked = new BlockedTime(parts.clock);
    this.fatal = parts.fatal;
    this.drained = parts.drained;
    this.commit = new GroupCommit(parts.store, (roots) => this.journaled(roots), parts.fatal);
  }

  hold(): void {
    this.holds++;
  }

  release(): void {
    if (--this.holds === 0) this.wake();
  }

  /** The run reads `reader` (opened on the run's source). */
  open(reader: SourceReader<unknown>): void {
    this.reader = reader;
    this.confirms = reader.confirm !== undefined;
    this.admits = reader.admitted !== undefined;
  }

  /**
   * An item completed: the reader hears of it, and there is room again. The call every item
   * makes, kept small: most items complete while the pump runs, which reads on by itself.
   */
  completed(root: Root): void {
    if (this.confirms) this.reader!.confirm!(root.position, true);
    if (!this.pumping) this.wake();
  }

  /** An item was given up on: the reader hears of it, and there is room again. */
  deadLettered(root: Root, record: FailureRecord): void {
    this.reader?.confirm?.(root.position, false, record);
    this.wake();
  }

  /** An item is due again: it goes in before new reads, or is set aside after a stop. */
  replay(root: Root): void {
    if (this.stopping.requested) this.putAside(root);
    else this.replays.push(root);
    this.wake();
  }

  /** Stops reading, as if the source had ended here; a replay due now is set aside (see Run.stop). */
  stop(): void {
    this.reading = this.stopping.stopReading(this.reader, this.reading);
    for (const root of this.replays.splice(0)) this.putAside(root);
    this.endInput();
    this.wake();
  }

  /** The run ended: nothing more is pumped, the stall check is off. */
  close(): void {
    this.finished = true;
    this.blocked.end();
    this.stall.close();
  }

  wake(): void {
    if (this.wakeScheduled || this.pumping || this.finished) return;
    this.wakeScheduled = true;
    queueMicrotask(() => {
      this.wakeScheduled = false;
      this.pump();
    });
  }

  /**
   * Pulls the source while there is room, sends replays in, and completes the input at the end.
   *
   * The path of a tracked item (admit, send in, note it if still pending) is written out in the
   * loop rather than called: the JIT compiles the pump with the pipeline's first stages inlined
   * into it, up to a budget of bytecode per compile that counts what is inlined but not the pump's
   * own body, so that every byte of bookkeeping called from here is a byte less of the user's
   * pipeline inlined (it was most of the budget; W1 confirm counted ~100 instructions per item more).
   */
  pump(): void {
    if (this.pumping || this.finished || this.input === undefined) return;
    this.pumping = true;
    const input = this.input;
    const reader = this.reader!;
    const acker = this.acker;
    // Nothing but this pump waits for a completion: the acker need not tell of them while it runs.
    if (acker !== undefined && !this.durable && !this.confirms && !acker.listened) acker.quiet = true;
    const max = this.maxPending;
    // Whether the time blocked at maxPending, if any, has been ended (once per pump, not per item).
    let resumed = false;
    try {
      for (;;) {
        let r: IteratorResult<unknown, unknown>;
        const ready = this.ready;
        if (ready !== undefined) {
          // What a read that was pending returned: it was read, so it is admitted whatever the room.
          this.ready = undefined;
          r = ready;
        } else {
          if (this.replays.length > 0) {
            this.sendReplay(input);
            continue;
          }
          if (this.reading || this.sourceDone || this.holds > 0) break;
          if (acker !== undefined && acker.pending >= max) {
            this.stall.paused();
            this.blocked.start();
            break;
          }
          if (!resumed) {
            this.blocked.end();
            resumed = true;
          }
          let read;
          try {
            read = reader.read();
          } catch (e) {
            this.sourceFailed(e);
            break;
          }
          // Readers return native promises (see SourceReader); instanceof is far cheaper than looking up `then`.
          if (read instanceof Promise) {
            this.awaitRead(read);
            break;
          }
          r = read;
        }
        if (r.done === true) this.endInput();
        else if (acker === undefined) this.acceptUntracked(r.value);
        else {
          const root = acker.admit(r.value, reader.position, reader.key);
          if (this.durable || reader.error !== undefined) this.acceptHeld(root, reader);
          else {
            // enter(), written out (see above).
            if (this.admits) reader.admitted!(root.position, root.id);
            input.next(root);
            if (root.current === 0) acker.enteredNew(root); // (see enter())
          }
        }
      }
      if (this.commit.due) this.commit.write();
      if (this.sourceDone && !this.reading && this.replays.length === 0 && (acker === undefined || acker.pending === this.setAside)) {
        this.input = undefined;
        input.complete();
      }
    } catch (e) {
      this.fatal(e);
    } finally {
      this.pumping = false;
      if (acker !== undefined) acker.quiet = false;
    }
  }

  /** The next replay goes in (a root whose attempt failed, or one the journal kept). */
  private sendReplay(input: Sink<Envelope<unknown>>): void {
    const root = this.replays.shift()!;
    if (root.current < 0) return;
    this.acker!.rearm(root);
    input.next(new Envelope(root.input, root, root.xorHi, root.xorLo, root.current));
    this.acker!.entered(root);
  }

  /** A read returned a promise: the pump stops, and goes on with what it gives (see {@link ready}). */
  private awaitRead(read: Promise<IteratorResult<unknown, unknown>>): void {
    this.reading = true;
    read.then(
      (res) => {
        // A read a stop left pending: what it returns was never admitted.
        if (this.finished || this.stopping.abandoned) return;
        this.reading = false;
        this.ready = res;
        this.pump();
      },
      (e: unknown) => {
        if (!this.stopping.abandoned) this.sourceFailed(e);
      },
    );
  }

  /** An item read under 'none': no root, and bad input fails at once. */
  private acceptUntracked(value: unknown): void {
    const reader = this.reader!;
    this.untrackedIngested++;
    if (reader.error !== undefined) {
      this.untracked.failAnchor({ node: this.source.name, value, error: reader.error });
      return;
    }
    reader.admitted?.(reader.position, -1);
    this.input!.next(new Envelope(value, this.untracked, 0, 1, 0));
  }

  /** An item that does not enter at once: bad input (dead-lettered) or one to journal first. */
  private acceptHeld(root: Root, reader: SourceReader<unknown>): void {
    const bad = reader.error !== undefined;
    if (this.durable) this.commit.read(root, reader.raw, bad);
    if (bad) root.failAnchor({ node: this.source.name, value: root.input, error: reader.error }, 0);
  }

  private enter(root: Root): void {
    if (this.admits) this.reader!.admitted!(root.position, root.id);
    // A root is the first envelope of its tree (see Root).
    this.input!.next(root);
    // Most roots of a CPU-bound pipeline completed inside next(): they need no deadline. One that
    // failed and is due again was linked by the acker then (its attempt is 1 or more).
    if (root.current === 0) this.acker!.enteredNew(root);
  }

  /** A group commit is on disk: its roots enter (those still pending), and the pump goes on. */
  private journaled(roots: readonly Root[]): void {
    if (this.finished) return;
    this.pumping = true;
    try {
      for (const root of roots) if (root.current >= 0) this.enter(root);
    } finally {
      this.pumping = false;
    }
    this.pump();
  }

  /** The source ended, or the run was stopped: nothing more is read, partial batches flush. */
  private endInput(): void {
    if (this.sourceDone) return;
    this.sourceDone = true;
    this.drained();
    for (const flush of this.drainers) flush();
  }

  private putAside(root: Root): void {
    if (root.current < 0) return;
    this.acker!.setAside(root);
    this.setAside++;
  }

  private sourceFailed(e: unknown): void {
    this.reading = false;
    this.fatal(
      new ConsecutionError('SOURCE_FAILED', `source "${this.source.name}" failed: ${messageOf(e)}`, { cause: e }),
    );
  }
}
