import { constants } from 'node:buffer';
import { z } from 'zod';

/** The longest delay a Node.js timer takes (2^31 - 1 ms): what `optionReader().timeout()` accepts at most. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A deadline in ms, as the functions' own checks take it: an integer from 1 to
 * {@link MAX_TIMEOUT_MS}, optional (the function has a default).
 *
 * @example
 * ```ts
 * const s = timeoutMs('a request not answered by then gets 504 @default 30000');
 * s.parse(5_000); // 5000
 * ```
 */
export const timeoutMs = (description: string) => z.int().min(1).max(MAX_TIMEOUT_MS).optional().describe(description);

/**
 * An optional integer `>= min`, as `optionReader().integer()` takes it.
 *
 * @example
 * ```ts
 * const s = atLeast(1, 'rows per round trip @default 500');
 * s.parse(100); // 100
 * ```
 */
export const atLeast = (min: number, description: string) => z.int().min(min).optional().describe(description);

/**
 * An optional non-empty string.
 *
 * @example
 * ```ts
 * const s = nonEmpty("the source's name in errors @default 'postgres'");
 * s.parse('events'); // 'events'
 * ```
 */
export const nonEmpty = (description: string) => z.string().min(1).optional().describe(description);

/**
 * An optional boolean.
 *
 * @example
 * ```ts
 * const s = flag('watch the subdirectories too @default false');
 * s.parse(true); // true
 * ```
 */
export const flag = (description: string) => z.boolean().optional().describe(description);

/**
 * A ZeroMQ endpoint, as fromZmq and toZmq check it: `transport://address`.
 *
 * @example
 * ```ts
 * zmqUri.parse('tcp://127.0.0.1:5555'); // 'tcp://127.0.0.1:5555'
 * ```
 */
export const zmqUri = z
  .string()
  .regex(/^[a-z]+:\/\/\S+$/, "a ZeroMQ endpoint such as 'tcp://127.0.0.1:5555'")
  .describe("the endpoint, such as 'tcp://127.0.0.1:5555' or 'ipc:///tmp/feed'");

/**
 * Where a PostgreSQL connector connects: a connection string, or the config object of pg's
 * `Client` (`{ host, port, user, password, database, ssl, ... }`), as `checkConnection` takes it.
 *
 * @example
 * ```ts
 * pgConnection.parse('postgres://postgres@127.0.0.1:5432/test');
 * pgConnection.parse({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
 * ```
 */
export const pgConnection = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())])
  .describe("where to connect: a connection string (postgres://user@host:port/db) or pg's Client config { host, port, user, password, database, ssl, ... }; what it leaves out comes from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE");

/**
 * The line options fromFile and fromStdin share (`LineOptions`), as `lineOptions()` checks them.
 *
 * @example
 * ```ts
 * lineShape.format.parse('ndjson'); // 'ndjson'
 * lineShape.maxLineBytes.parse(1 << 20); // 1048576
 * ```
 */
export const lineShape = {
  format: z.enum(['lines', 'ndjson']).optional().describe("lines: each line is a string item; ndjson: each non-empty line is parsed as JSON @default 'lines'"),
  maxLineBytes: z
    .int()
    .min(1)
    .max(constants.MAX_STRING_LENGTH)
    .optional()
    .describe('the longest line read, in bytes (without its line break); a longer line becomes a failed item (BAD_INPUT) that holds its first bytes @default 16 MiB'),
};

/**
 * The options fromInterval and fromCron share (`TickOptions`) that a file can give (not
 * `produce` nor `random`: functions), as `tickSettings()` checks them.
 *
 * @example
 * ```ts
 * tickShape.catchUp.parse('all'); // 'all'
 * ```
 */
export const tickShape = {
  name: nonEmpty('the source\'s name in errors and failure records @default interval, or cron(<expression>)'),
  jitterMs: atLeast(0, 'each tick fires up to this many ms after its scheduled time, by a delay drawn afresh from [0, jitterMs) @default 0'),
  count: atLeast(0, 'how many ticks fire in all, across restarts on a durable store; then the source ends @default unlimited'),
  catchUp: z
    .enum(['none', 'last', 'all'])
    .optional()
    .describe("what becomes of scheduled times passed while the run was down or full: last fires the latest late, all fires each, none fires none @default 'last'"),
};
