/**
 * The values of a batch (or of its results) as they are built to cross to or from a worker. The
 * structured clone copies an array element by element, about 40 ns per number counting both
 * sides, and a Float64Array as one copy of its bytes; a Float64Array holds every JS number exactly
 * (-0, NaN and the infinities too). So values are kept in one while they are all numbers, and move
 * to an array at the first value that is not.
 */
export class Column {
  private numbers: Float64Array | undefined;
  private others: unknown[] | undefined;
  private size = 0;
  /** The Float64Array kept for reuse by {@link clear}. */
  private spare: Float64Array;

  constructor(capacity: number) {
    this.spare = new Float64Array(Math.max(capacity, 1));
    this.numbers = this.spare;
  }

  get length(): number {
    return this.size;
  }

  push(value: unknown): void {
    // The common case in a few bytes, so that it inlines into the per-item loops that call it.
    const numbers = this.numbers;
    if (numbers !== undefined && typeof value === 'number' && this.size < numbers.length) numbers[this.size++] = value;
    else this.grow(value);
  }

  /** A push that fills the Float64Array, or a value that is not a number. */
  private grow(value: unknown): void {
    let numbers = this.numbers;
    if (numbers !== undefined) {
      if (typeof value === 'number') {
        numbers = new Float64Array(numbers.length * 2);
        numbers.set(this.numbers!);
        this.numbers = this.spare = numbers;
        numbers[this.size++] = value;
        return;
      }
      this.others = Array.from(numbers.subarray(0, this.size));
      this.numbers = undefined;
    }
    this.others!.push(value);
    this.size++;
  }

  /** Empties the column for reuse, once what {@link seal} returned is no longer read. */
  clear(): void {
    this.numbers = this.spare;
    this.others = undefined;
    this.size = 0;
  }

  /** Drops the values from `length` on. */
  truncate(length: number): void {
    this.size = length;
    if (this.others !== undefined) this.others.length = length;
  }

  /** The values, exactly `length` of them, as they cross: a Float64Array while all are numbers, else an array. */
  seal(): ArrayLike<unknown> {
    const numbers = this.numbers;
    if (numbers === undefined) return this.others!;
    return this.size === numbers.length ? numbers : numbers.slice(0, this.size);
  }
}
