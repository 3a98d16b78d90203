// Where the real servers of the connector tests are, from environment variables with this
// machine's defaults. A test that needs one calls `service(name)` at collection time: when the
// server does not answer it is skipped with the reason, except under CONSECUTION_REQUIRE_SERVICES=1
// (`.ci/run` sets it), where the test fails instead.
import { Socket } from 'node:net';

export interface Service {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Why the tests are skipped, or undefined when the server answered. */
  readonly missing: string | undefined;
}

const DEFAULTS = {
  postgres: { env: 'PGHOST', portEnv: 'PGPORT', port: 5432 },
  redis: { env: 'REDIS_HOST', portEnv: 'REDIS_PORT', port: 6379 },
  nats: { env: 'NATS_HOST', portEnv: 'NATS_PORT', port: 4222 },
  rabbitmq: { env: 'RABBITMQ_HOST', portEnv: 'RABBITMQ_PORT', port: 5672 },
  mosquitto: { env: 'MQTT_HOST', portEnv: 'MQTT_PORT', port: 1883 },
  mariadb: { env: 'MARIADB_HOST', portEnv: 'MARIADB_PORT', port: 3306 },
} as const;

export type ServiceName = keyof typeof DEFAULTS;

export const servicesRequired = process.env.CONSECUTION_REQUIRE_SERVICES === '1';

function reachable(host: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (why: string | undefined) => {
      s.destroy();
      resolve(why);
    };
    s.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
    s.once('error', (e) => done(`${host}:${port}: ${e.message}`));
    s.connect(port, host, () => done(undefined));
  });
}

/**
 * The server `name`, probed once with a TCP connect. Use with top-level await in a test file:
 * `const pg = await service('postgres'); describe.skipIf(skip(pg))(...)`.
 */
export async function service(name: ServiceName): Promise<Service> {
  const d = DEFAULTS[name];
  const host = process.env[d.env] ?? '127.0.0.1';
  const port = Number(process.env[d.portEnv] ?? d.port);
  const why = await reachable(host, port);
  return { name, host, port, missing: why === undefined ? undefined : `${name} is not reachable (${why})` };
}

/**
 * Whether tests of `s` are to be skipped: true when it is missing and services are not required.
 * When they are required (CONSECUTION_REQUIRE_SERVICES=1) a missing server throws here, which
 * fails the test file with the reason.
 */
export function skip(s: Service): boolean {
  if (s.missing === undefined) return false;
  if (servicesRequired) throw new Error(`${s.missing}, and CONSECUTION_REQUIRE_SERVICES=1 requires it`);
  console.warn(`skipped: ${s.missing}`);
  return true;
}
