import type { FailureRecord } from '../acker/failure.js';
import { newScope } from './scope.js';
import type { Checkpoint, JournalEntry, RedriveResult, Store, StoreStats } from './store.js';

/**
 * The default store: keeps nothing beyond the process. The journal is not kept at all (a
 * process that dies takes its items with it); dead letters and failure records are kept for
 * inspection while the store lives.
 *
 * @example
 * ```ts
 * const store = new MemoryStore(); // what a Consecutor without store: { path } uses
 * await store.journal([{ id: 0, value: 'a', position: 0 }], 0); // kept nowhere: nothing to replay
 * store.stats(); // { pending: 0, deadLetters: 0, failures: 0, checkpoints: 0, position: 0 }
 * ```
 */
export class MemoryStore implements Store {
  readonly durable = false;
  private readonly dead: FailureRecord[] = [];
  private readonly fails: FailureRecord[] = [];
  private readonly checkpoints = new Map<string, Checkpoint>();
  private last: unknown;
  private id = 0;
  private readonly scopeText = newScope();

  journal(entries: readonly JournalEntry[], position: unknown): Promise<void> {
    this.last = position;
    this.id += entries.length;
    return Promise.resolve();
  }

  forget(): void {}

  deadLetter(record: FailureRecord): Promise<void> {
    this.dead.push(record);
    return Promise.resolve();
  }

  failure(record: FailureRecord, keep: number): void {
    this.fails.push(record);
    if (this.fails.length > keep) this.fails.shift();
  }

  checkpoint(node: string, checkpoint: Checkpoint): Promise<void> {
    this.checkpoints.set(node, checkpoint);
    return Promise.resolve();
  }

  restore(node: string): Checkpoint | undefined {
    return this.checkpoints.get(node);
  }

  pending(): JournalEntry[] {
    return [];
  }

  position(): unknown {
    return this.last;
  }

  scope(): string {
    return this.scopeText;
  }

  nextId(): number {
    return this.id;
  }

  deadLetters(): FailureRecord[] {
    return [...this.dead];
  }

  failures(): FailureRecord[] {
    return [...this.fails];
  }

  /** Nothing to redrive: the memory store keeps no journal for a next run to replay. */
  redrive(): Promise<RedriveResult> {
    return Promise.resolve({ redriven: 0, skipped: 0 });
  }

  stats(): StoreStats {
    return { pending: 0, deadLetters: this.dead.length, failures: this.fails.length, checkpoints: this.checkpoints.size, position: this.last };
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
