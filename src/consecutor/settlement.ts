import type { AckerEvents } from '../acker/acker.js';
import { blameOf, type Blame, type Holder } from '../acker/blame.js';
import type { FailureRecord } from '../acker/failure.js';
import type { Root } from '../acker/root.js';
import { deadLetterMeta } from '../outputs/meta.js';
import type { OutputSet } from '../outputs/set.js';
import type { Writer } from '../outputs/writer.js';
import type { Writes } from '../outputs/writes.js';
import type { Journal } from '../store/store.js';
import type { Admission } from './admission.js';
import type { StateCells } from './cells.js';

/** What the settlement of one run works with (see {@link Settlement}). */
export interface SettlementParts {
  readonly store: Journal;
  readonly cells: StateCells;
  readonly channels: OutputSet;
  readonly writes: Writes;
  /** Stages holding items' work, asked where a timed-out item is stuck (the run's own array, shared). */
  readonly holders: readonly Holder[];
  readonly keepFailures: number;
}

/**
 * What happens when the acker settles an item: a completed one leaves the journal and its source
 * hears of it; a failed one is recorded, replayed, or dead-lettered (kept in the store and written
 * to the `deadLetter` output, both through the confirmed-write path the run waits for).
 */
export class Settlement implements AckerEvents {
  /** The run's admission; set once, before the run starts (it needs the acker, which needs this). */
  admission!: Admission;
  private readonly store: Journal;
  /** Whether the store keeps a journal to forget completed items from (the memory store does not). */
  private readonly durable: boolean;
  private readonly parts: SettlementParts;
  /** The store's writes of dead letters: never given up (the store's own writes are always awaited). */
  private readonly stored: Writer;
  private deadLetters: Writer | undefined;

  constructor(parts: SettlementParts) {
    this.parts = parts;
    const store = (this.store = parts.store);
    this.durable = store.durable;
    const sink = { name: 'store', appends: false, write: (r: unknown) => store.deadLetter(r as FailureRecord) };
    this.stored = parts.writes.writer(sink, { node: 'consecutor', expires: false, says: deadLetter('stored') });
  }

  completed(root: Root): void {
    if (this.durable) this.store.forget(root.id);
    this.admission.completed(root);
  }

  deadLettered(root: Root, record: FailureRecord): void {
    const meta = deadLetterMeta(record, this.store.scope());
    this.stored.writeValue(record, meta);
    this.deadLetterWriter()?.writeValue(record, meta);
    this.admission.deadLettered(root, record);
  }

  failure(record: FailureRecord): void {
    this.store.failure(record, this.parts.keepFailures);
  }

  replay(root: Root): void {
    this.parts.cells.replaying(root);
    this.admission.replay(root);
  }

  blame(root: Root, now: number): Blame | undefined {
    return blameOf(this.parts.holders, root, now);
  }

  /** The `deadLetter` output's writer, if anything takes its values (a stream may be asked for after the run started). */
  private deadLetterWriter(): Writer | undefined {
    if (this.deadLetters !== undefined) return this.deadLetters;
    const ch = this.parts.channels.get('deadLetter');
    if (ch === undefined || !ch.requested) return undefined;
    return (this.deadLetters = this.parts.writes.writer(ch, { node: 'deadLetter', says: deadLetter('written') }));
  }
}

/** How a dead letter's failed write reads: `dead letter of item #3 could not be written: disk full`. */
function deadLetter(done: 'stored' | 'written'): (value: unknown, why: string) => string {
  return (r, why) => `dead letter of item #${(r as FailureRecord).root} could not be ${done}: ${why}`;
}
