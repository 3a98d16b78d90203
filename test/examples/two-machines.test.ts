// examples/two-machines against the real servers, as a user runs it: two `enrich` copies as child
// processes sharing one durable consumer, `parse` publishing a file's orders; every good order is
// a row once, the bad lines are dead-lettered with their reason, and both copies exit 0 on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { enrich, isOrder, parse, setup, type Order } from '../../examples/two-machines.js';
import { cleanup, newStreamName, server as natsServer, servers } from '../connectors/nats-db.js';
import { admin, connection, server as pgServer, uniqueName } from '../connectors/postgres-db.js';
import { skip } from '../connectors/services.js';
import { until } from '../connectors/until.js';

const script = new URL('../../examples/two-machines.ts', import.meta.url).pathname;
const file = new URL('../../examples/two-machines.ndjson', import.meta.url).pathname;

afterAll(() => cleanup(true));

const order: Order = { id: 'o1', customer: 'ada', country: 'DE', lines: [{ sku: 'a', qty: 2, cents: 250 }, { sku: 'b', qty: 1, cents: 100 }] };

describe('examples/two-machines', () => {
  it('checks and enriches an order', () => {
    expect(isOrder(order)).toBe(true);
    expect(isOrder({ ...order, country: 'US' })).toBe(false);
    expect(isOrder({ ...order, lines: [{ sku: 'a', qty: 0, cents: 1 }] })).toBe(false);
    expect(enrich(order, 'b1')).toEqual({ order_id: 'o1', customer: 'ada', country: 'DE', items: 3, net_cents: 600, vat_cents: 114, enriched_by: 'b1' });
  });

  describe.skipIf(skip(natsServer) || skip(pgServer))('on NATS and PostgreSQL, as separate processes', () => {
    it('two enrich copies share the parsed orders: each good order is one row, the bad lines are dead-lettered', async () => {
      const stream = newStreamName('two_machines');
      const table = uniqueName('orders');
      const db = await admin();
      onTestFinished(async () => {
        await db.query(`DROP TABLE IF EXISTS "${table}"`);
        await db.end();
      });
      const place = { servers, stream, table, connection };
      await setup(place);
      const env = { ...process.env, NATS_URL: servers, ORDERS_STREAM: stream, ORDERS_TABLE: table, PGHOST: connection.host, PGPORT: String(connection.port), PGUSER: connection.user, PGDATABASE: connection.database };
      const copies = ['b1', 'b2'].map((who) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, 'enrich', who], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        const out = { child, stdout: '', stderr: '', exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
        child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
        return out;
      });
      const kill = (c: ChildProcess) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL');
      onTestFinished(() => copies.forEach((c) => kill(c.child)));
      await until('both copies consuming', () => copies.every((c) => c.stdout.includes('consuming')), 60_000);

      const dead = join(mkdtempSync(join(tmpdir(), 'consecution-two-machines-')), 'dead.ndjson');
      const report = await parse(file, place, dead);
      expect(report).toMatchObject({ ingested: 42, completed: 40, deadLettered: 2 });
      const reasons = readFileSync(dead, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { error: { code: string } }).error.code);
      expect(reasons.sort()).toEqual(['BAD_INPUT', 'CHECK_FAILED'].sort());

      const rows = async () => (await db.query<{ order_id: string; enriched_by: string }>(`SELECT order_id, enriched_by FROM "${table}"`)).rows;
      await until('40 rows', async () => (await rows()).length >= 40, 60_000);
      for (const c of copies) c.child.kill('SIGTERM');
      expect(await Promise.all(copies.map((c) => c.exited)), copies.map((c) => c.stderr).join('\n')).toEqual([0, 0]);
      const written = await rows();
      expect(written.map((r) => r.order_id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `o${i + 1}`).sort());
      expect(copies.every((c) => /stopped, \d+ orders written/.test(c.stdout))).toBe(true);
    }, 180_000);
  });
});
