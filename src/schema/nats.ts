import { z } from 'zod';
import { isNatsSubject, NATS_NAME, NATS_SERVER } from '../connectors/nats-names.js';

const servers = (s: string): boolean => s.split(',').every((x) => NATS_SERVER.test(x.trim()));

/**
 * The servers of a NATS connector, as fromNats and toNats check them: one (`'nats://host:4222'`
 * or `'host:4222'`), several comma-separated in one string, or an array.
 *
 * @example
 * ```ts
 * natsServers.parse('nats://127.0.0.1:4222'); // 'nats://127.0.0.1:4222'
 * natsServers.parse(['nats://a:4222', 'nats://b:4222']);
 * ```
 */
export const natsServers = z
  .union([z.string().refine(servers, "NATS servers such as 'nats://127.0.0.1:4222'"), z.array(z.string().regex(NATS_SERVER, "a NATS server such as 'nats://127.0.0.1:4222'")).min(1)])
  .optional()
  .describe("the servers: 'nats://host:4222', several comma-separated, or an array @default 'nats://127.0.0.1:4222'");

/**
 * A NATS subject one publishes to (no wildcards).
 *
 * @example
 * ```ts
 * natsSubject.parse('orders.eu'); // 'orders.eu'
 * ```
 */
export const natsSubject = z.string().refine((s) => isNatsSubject(s, false), "a NATS subject such as 'orders.eu' (no wildcards)");

/**
 * A NATS subject or a filter of subjects (`*` for one token, a last `>` for the rest).
 *
 * @example
 * ```ts
 * natsFilter.parse('orders.*'); // 'orders.*'
 * ```
 */
export const natsFilter = z.string().refine((s) => isNatsSubject(s, true), "a NATS subject such as 'orders.eu' or a filter such as 'orders.*'");

/**
 * A JetStream name (a stream, a durable consumer): no spaces, dots, `*` nor `>`.
 *
 * @example
 * ```ts
 * natsName('the stream').parse('ORDERS'); // 'ORDERS'
 * ```
 */
export const natsName = (description: string) => z.string().regex(NATS_NAME, 'a JetStream name (no spaces, dots, * or >)').describe(description);
