import { Column } from './column.js';
import type { BatchMessage, Failed, Misuse, Results } from './protocol.js';
import type { Outcome } from './worker-context.js';

/**
 * A batch being worked through by a worker's lanes, and its results, in item order. With one lane
 * (`inOrder`) items settle one after the other, straight into the results: nothing allocated per
 * item. With several, each item pushes into a column of its own, gathered in item order once all
 * have settled.
 *
 * @example
 * ```ts
 * import { BatchWork } from './batch-work.js';
 * import type { Lane } from './lane.js';
 * import type { BatchMessage } from './protocol.js';
 * declare const batch: BatchMessage;
 * declare const lane: Lane;
 * const work = new BatchWork(batch, true, []);
 * lane.start(work);
 * const results = work.left === 0 ? work.seal() : await work.done();
 * ```
 */
export class BatchWork {
  readonly values: ArrayLike<unknown>;
  readonly attempts: readonly number[] | undefined;
  /** Items not settled yet. */
  left: number;
  private next = 0;
  /** `counts` stays undefined while every item pushed one value. */
  private counts: number[] | undefined = undefined;
  private readonly outs: Column;
  private readonly failed: Failed[] = [];
  /** Several lanes: each item's own column and outcome, until they are gathered. */
  private readonly columns: Column[] | undefined;
  private readonly outcomes: Outcome[] | undefined;
  private resolve: ((results: Results) => void) | undefined = undefined;
  /** When the worker began the batch. */
  private readonly started = performance.now();

  constructor(
    batch: BatchMessage,
    inOrder: boolean,
    /** Misuses recorded since the worker's last answer: they go with this one. */
    private readonly misuses: Misuse[],
  ) {
    this.values = batch.values;
    this.attempts = batch.attempts;
    this.left = batch.values.length;
    this.outs = new Column(this.left);
    this.columns = inOrder ? undefined : [];
    this.outcomes = inOrder ? undefined : [];
  }

  /** The index of the next item to start, or -1 when every item has started. */
  take(): number {
    return this.next < this.values.length ? this.next++ : -1;
  }

  /** Where item `i` pushes. */
  column(i: number): Column {
    if (this.columns === undefined) return this.outs;
    return (this.columns[i] = new Column(1));
  }

  settled(i: number, o: Outcome): void {
    if (this.outcomes === undefined) this.record(i, o);
    else this.outcomes[i] = o;
    if (--this.left === 0 && this.resolve !== undefined) this.resolve(this.seal());
  }

  /** The results, once some item went async: when the last item settles. */
  done(): Promise<Results> {
    return new Promise((resolve) => (this.resolve = resolve));
  }

  /** The results, once every item settled. */
  seal(): Results {
    if (this.outcomes !== undefined) this.gather(this.outcomes, this.columns!);
    const misuses = this.misuses.length === 0 ? undefined : this.misuses.splice(0);
    return { t: 'results', counts: this.counts, outs: this.outs.seal(), failed: this.failed, ms: performance.now() - this.started, misuses };
  }

  /** Items' outcomes, in item order (`i` goes up by one from 0). */
  private record(i: number, o: Outcome): void {
    if (o !== 1 || this.counts !== undefined) this.count(i, o);
  }

  /** An outcome once some item pushed other than one value, or failed: `counts` says how many each. */
  private count(i: number, o: Outcome): void {
    if (this.counts === undefined) {
      this.counts = [];
      for (let j = 0; j < i; j++) this.counts.push(1);
    }
    if (typeof o === 'number') this.counts.push(o);
    else {
      this.counts.push(-1);
      this.failed.push(o);
    }
  }

  private gather(outcomes: readonly Outcome[], columns: readonly Column[]): void {
    for (let i = 0; i < outcomes.length; i++) {
      const pushed = columns[i]!.seal();
      for (let j = 0; j < pushed.length; j++) this.outs.push(pushed[j]);
      this.record(i, outcomes[i]!);
    }
  }
}
