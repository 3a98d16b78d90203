/**
 * At most `size` holders at once: `take()` resolves when a slot is free (waiters in the order they
 * came), `give()` frees one. A sink bounds its requests in flight with it.
 *
 * @example
 * ```ts
 * const slots = new Slots(2);
 * await slots.take();
 * try { await fetch('http://127.0.0.1:8080/') } finally { slots.give() }
 * ```
 */
export class Slots {
  private free: number;
  private waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(size: number) {
    this.free = size;
  }

  take(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.free++;
    else next.resolve();
  }

  /** Rejects every waiter with `error` (the sink closed); the slots held stay held until given. */
  reject(error: unknown): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.reject(error);
  }
}
