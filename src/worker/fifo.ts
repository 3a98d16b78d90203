/**
 * A first-in first-out queue on a ring buffer: `push` and `take` are O(1) and copy nothing (an
 * array's `shift()` is O(n), and an array with a head index must be copied now and then to let
 * go of what has left). The buffer doubles when full and never shrinks; a slot is cleared when
 * its item leaves, so the queue keeps alive only what is in it.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = new Array<T | undefined>(16).fill(undefined);
  /** `items.length - 1`: the length is a power of two. */
  private mask = 15;
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count++;
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** The oldest item, removed; undefined when empty. */
  take(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    return item;
  }

  /** Whether some item, oldest first, passes `test`; nothing is removed. */
  some(test: (item: T) => boolean): boolean {
    for (let i = 0; i < this.count; i++) if (test(this.items[(this.head + i) & this.mask]!)) return true;
    return false;
  }

  /** Every item, oldest first, removed. */
  forEach(fn: (item: T) => void): void {
    for (let i = 0; i < this.count; i++) fn(this.items[(this.head + i) & this.mask]!);
  }

  drain(): T[] {
    const rest: T[] = [];
    while (this.count > 0) rest.push(this.take()!);
    return rest;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2).fill(undefined);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.mask = next.length - 1;
    this.head = 0;
  }
}
