/**
 * How long to wait before retry number `retry` (0 for the first): "full jitter", a uniform draw
 * between 0 and the exponential cap `min(maxMs, baseMs · 2^retry)`, so that many clients that
 * failed together do not come back together (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"). `random` returns a number in [0, 1), as `Math.random` does.
 *
 * @example
 * ```ts
 * fullJitter(0, 200, 30_000, () => 0.5); // 100: half of 200
 * fullJitter(3, 200, 30_000, () => 0.5); // 800: half of 1600
 * fullJitter(20, 200, 30_000, () => 0.5); // 15_000: half of the cap
 * ```
 */
export function fullJitter(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, baseMs * 2 ** retry);
  return Math.floor(random() * cap);
}

/**
 * The wait a `Retry-After` header asks for, in ms: a number of seconds, or an HTTP date (less
 * `now`, never below 0). Undefined when there is no header or it is neither.
 *
 * @example
 * ```ts
 * retryAfterMs('7', Date.now()); // 7000
 * retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2000
 * retryAfterMs('soon', Date.now()); // undefined
 * ```
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date always names its weekday or month in letters; Date.parse alone takes "12" too.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
