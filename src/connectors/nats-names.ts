// What NATS takes as a server, a subject and a JetStream name: checked by the NATS connectors'
// options and by their zod schemas alike.

/** One server: host[:port], with an optional nats/tls/ws/wss scheme (and user:password@). */
export const NATS_SERVER = /^((nats|tls|ws|wss):\/\/)?(?![a-z]+:\/\/)[^\s,]+$/;

/** A JetStream stream or durable consumer name: no spaces, dots, `*` nor `>`. */
export const NATS_NAME = /^[^\s.*>]+$/;

/**
 * Whether `subject` is a NATS subject: dot-separated non-empty tokens without spaces. With
 * `wildcards` (a filter) a token may be `*`, and the last one `>`; without, neither.
 *
 * @example
 * ```ts
 * isNatsSubject('orders.*', true); // true
 * isNatsSubject('orders.*', false); // false
 * ```
 */
export function isNatsSubject(subject: string, wildcards: boolean): boolean {
  return subject
    .split('.')
    .every((t, i, all) => t !== '' && !/\s/.test(t) && (wildcards ? (!t.includes('*') || t === '*') && (!t.includes('>') || (t === '>' && i === all.length - 1)) : !/[*>]/.test(t)));
}
