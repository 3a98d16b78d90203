/** A call's armed deadline (see {@link arm}). */
export type Deadline = ReturnType<typeof setTimeout>;

/**
 * The one place a node call's deadline is set and cleared, inline and in workers (an injected
 * clock replaces these two). `expired(target, ms)` is called once, `ms` after now, unless the
 * deadline is disarmed first. Taking the target as an argument, not in a closure, costs no
 * allocation per call.
 *
 * @example
 * ```ts
 * const d = arm(20, (ctx, ms) => ctx.timeOut(ms), ctx);
 * disarm(d); // the call settled in time
 * ```
 */
export function arm<T>(ms: number, expired: (target: T, ms: number) => void, target: T): Deadline {
  return setTimeout(expired, ms, target, ms);
}

/**
 * Clears a deadline set by {@link arm}: its call settled in time.
 *
 * @example
 * ```ts
 * if (ctx.deadline !== undefined) disarm(ctx.deadline);
 * ```
 */
export function disarm(deadline: Deadline): void {
  clearTimeout(deadline);
}
