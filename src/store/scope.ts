import { randomBytes } from 'node:crypto';

/**
 * A new store scope (see Store.scope): 8 random URL-safe characters and a dot, such as
 * `'q3Zr-k9A.'`: 48 bits, so that two stores meeting in one sink share a scope with odds of one
 * in 10^14.
 *
 * @example
 * ```ts
 * const scope = newScope(); // 'q3Zr-k9A.'
 * `${scope}${42}:0000000000000001`; // a key of item 42
 * ```
 */
export function newScope(): string {
  return `${randomBytes(6).toString('base64url')}.`;
}
