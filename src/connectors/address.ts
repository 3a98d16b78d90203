/**
 * A server's URL without the password it may carry (`redis://user:secret@host` → `redis://host`),
 * for error messages: the Redis and NATS connectors name their servers this way.
 *
 * @example
 * ```ts
 * withoutPassword('nats://app:s3cret@10.0.0.7:4222'); // 'nats://10.0.0.7:4222'
 * ```
 */
export function withoutPassword(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
