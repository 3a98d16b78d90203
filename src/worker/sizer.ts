/** Items in the first batches, before any worker has answered: a guess at the pace, kept small. */
const FIRST = 2;

/**
 * How many items go into a batch: at most the offload's `batch`, and no more than a worker gets
 * through in about `targetMs` at the pace its answers have shown. A batch of slow items (a call
 * of 100 ms) would otherwise hold each item for the whole batch, past its timeoutMs; fast items
 * still go `batch` at a time. It starts at {@link FIRST} items, until the first answers.
 */
export class BatchSizer {
  /** Items per batch now. */
  limit: number;
  /** Measured ms per item (a running average of the last answers); 0 until the first. */
  private msPerItem = 0;

  constructor(
    private readonly max: number,
    private readonly targetMs: number,
  ) {
    this.limit = Math.min(max, FIRST);
  }

  /** A worker took `ms` to work through `items` items. */
  answered(items: number, ms: number): void {
    if (items <= 0) return;
    const pace = Math.max(0, ms) / items;
    this.msPerItem = this.msPerItem === 0 ? pace : (this.msPerItem + pace) / 2;
    this.limit = this.msPerItem === 0 ? this.max : Math.max(1, Math.min(this.max, Math.floor(this.targetMs / this.msPerItem)));
  }
}
