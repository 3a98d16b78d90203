import { z } from 'zod';

/**
 * The server of a Redis connector, as fromRedisStream and toRedisStream check it: a `redis://`
 * or `rediss://` URL.
 *
 * @example
 * ```ts
 * redisUrl.parse('redis://127.0.0.1:6379'); // 'redis://127.0.0.1:6379'
 * ```
 */
export const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/\S*$/, "a Redis URL such as 'redis://127.0.0.1:6379'")
  .optional()
  .describe("the server, such as 'redis://127.0.0.1:6379' or 'rediss://user:password@host:6380' @default 'redis://127.0.0.1:6379'");

/**
 * The key of a Redis stream (a non-empty string).
 *
 * @example
 * ```ts
 * redisStreamKey.parse('orders'); // 'orders'
 * ```
 */
export const redisStreamKey = z.string().min(1).describe("the stream's key");
