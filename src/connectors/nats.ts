import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConsecutionError, messageOf, type ErrorCode } from '../errors.js';
import type { OptionReader } from '../stage/args.js';
import { isNatsSubject, NATS_NAME, NATS_SERVER } from './nats-names.js';
import { withoutPassword } from './address.js';
import { loadOptional } from './optional.js';

/** The server the NATS connectors connect to by default. */
export const DEFAULT_NATS_SERVER = 'nats://127.0.0.1:4222';

/** The first connection gives up after this long when no server answers. */
const CONNECT_TIMEOUT_MS = 10_000;

/** A connection to NATS with its JetStream client and manager, as the NATS connectors use it. */
export interface NatsSession {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** The servers, without passwords, for messages. */
  readonly where: string;
}

type JetStreamModule = typeof import('@nats-io/jetstream');
type TransportModule = typeof import('@nats-io/transport-node');

/**
 * Checks the option `servers` that fromNats and toNats share: one server (`'nats://host:4222'`,
 * `'host:4222'`), several comma-separated in one string, or an array of them; a bad value throws
 * `OPTIONS_INVALID` showing it.
 */
export function natsServers(r: OptionReader, servers: unknown): string[] {
  const list = servers === undefined ? [DEFAULT_NATS_SERVER] : typeof servers === 'string' ? servers.split(',').map((s) => s.trim()) : servers;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || !NATS_SERVER.test(s))) {
    r.bad('servers', "NATS servers such as 'nats://127.0.0.1:4222' (one string, comma-separated, or an array)", servers);
  }
  return list as string[];
}

/**
 * A NATS subject: tokens separated by dots, no spaces; with `wildcards`, a token may be `*` and
 * the last one `>` (a filter); without, a subject one publishes to.
 */
export function natsSubject(r: OptionReader, key: string, subject: unknown, wildcards: boolean): string {
  if (typeof subject !== 'string' || !isNatsSubject(subject, wildcards)) r.bad(key, wildcards ? "a NATS subject such as 'orders.eu' or a filter such as 'orders.*'" : "a NATS subject such as 'orders.eu' (no wildcards)", subject);
  return subject;
}

/** The option `key`, a JetStream stream or durable consumer name (no spaces, dots, `*` nor `>`). */
export function natsName(r: OptionReader, options: object, key: string): string {
  const v = (options as Record<string, unknown>)[key];
  if (typeof v !== 'string' || !NATS_NAME.test(v)) r.bad(key, 'a JetStream name (no spaces, dots, * or >)', v);
  return v;
}

/** `servers` without passwords, for messages. */
export function serversText(servers: readonly string[]): string {
  return servers.map(withoutPassword).join(',');
}

/**
 * Loads @nats-io/transport-node and @nats-io/jetstream (with {@link loadOptional}, for
 * `connector`), connects to `servers` and opens JetStream. No server answering, or a server
 * without JetStream, rejects with `code` naming the servers. Once connected, a lost connection is
 * made again by nats.js (10 attempts, 2 s apart); what is sent meanwhile waits for it.
 */
export async function connectNats(servers: readonly string[], connector: string, code: ErrorCode): Promise<NatsSession> {
  const [transport, jetstream] = await Promise.all([
    loadOptional<TransportModule>('@nats-io/transport-node', connector),
    loadOptional<JetStreamModule>('@nats-io/jetstream', connector),
  ]);
  const where = serversText(servers);
  let nc: NatsConnection;
  try {
    // No async stack traces: nats.js would capture two per publish (about 40 % of its CPU here); our errors name the stream or subject.
    nc = await transport.connect({ servers: [...servers], timeout: CONNECT_TIMEOUT_MS, name: connector, noAsyncTraces: true });
  } catch (e) {
    throw new ConsecutionError(code, `${connector} could not connect to NATS at ${where}: ${messageOf(e)}`, { cause: e });
  }
  try {
    return { nc, js: jetstream.jetstream(nc), jsm: await jetstream.jetstreamManager(nc), where };
  } catch (e) {
    await nc.close();
    throw new ConsecutionError(code, `${connector}: NATS at ${where} has no JetStream: ${messageOf(e)}`, { cause: e });
  }
}

/** Ends a connection: what was published goes out first (drain), or it is closed. */
export async function closeNats(session: NatsSession | undefined): Promise<void> {
  if (session === undefined || session.nc.isClosed()) return;
  try {
    await session.nc.drain();
  } catch {
    await session.nc.close().catch(() => {});
  }
}

/** Whether `e` is the nats.js error of that name (`StreamNotFoundError`, `ConsumerNotFoundError`). */
export function isNatsError(e: unknown, name: 'StreamNotFoundError' | 'ConsumerNotFoundError'): boolean {
  return e instanceof Error && e.name === name;
}
