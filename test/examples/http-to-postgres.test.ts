// examples/http-to-postgres against the real server: payments posted as NDJSON over real HTTP,
// the good ones in PostgreSQL once each (also when a request is repeated, or the service
// restarted), the bad ones dead-lettered to the file with their reason.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { enrich, isPayment, start } from '../../examples/http-to-postgres.js';
import { admin, connection, server, uniqueName } from '../connectors/postgres-db.js';
import { skip } from '../connectors/services.js';
import { onTestFinished } from 'vitest';

const lines = [
  { id: 'p1', user: 'ada', amount: 12.5, currency: 'USD' },
  { id: 'p2', user: 'bob', amount: -3, currency: 'EUR' },
  { id: 'p3', user: 'cy', amount: 7, currency: 'GBP' },
  { id: 'p4', user: 'di', amount: 1, currency: 'XYZ' },
  { id: 'p5', user: 'ed', amount: 100, currency: 'EUR' },
];
const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

describe('examples/http-to-postgres', () => {
  it('validates and enriches a payment', () => {
    expect(lines.map(isPayment)).toEqual([true, false, true, false, true]);
    expect(enrich(lines[0] as never)).toEqual({ payment_id: 'p1', user_name: 'ada', amount_cents: 1250, currency: 'USD', eur_cents: 1150 });
  });

  describe.skipIf(skip(server))('against PostgreSQL', () => {
    it('writes the good payments once each and dead-letters the bad ones to the file', async () => {
      const db = await admin();
      const table = uniqueName('payments');
      onTestFinished(async () => {
        await db.query(`DROP TABLE IF EXISTS "${table}"`);
      });
      const dir = mkdtempSync(join(tmpdir(), 'consecution-http-pg-'));
      const post = async (url: URL, key: string) => {
        const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key } });
        return { status: res.status, body: (await res.json()) as { ids: number[] } };
      };

      const first = await start({ port: 0, dir, table, connection });
      const url = await first.http.address();
      const a = await post(url, 'batch-1');
      expect(a.status).toBe(202);
      expect(a.body.ids).toHaveLength(5);
      // The same request again: the first answer, nothing admitted again.
      expect(await post(url, 'batch-1')).toEqual(a);
      const report = await first.consecutor.stop();
      expect(await first.done).toBe(report);
      expect(report).toMatchObject({ ingested: 5, completed: 3, deadLettered: 2 });

      // Restarted on the same store: the key is still remembered.
      const second = await start({ port: 0, dir, table, connection });
      expect(await post(await second.http.address(), 'batch-1')).toEqual(a);
      expect(await second.consecutor.stop()).toMatchObject({ ingested: 0 });

      const { rows } = await db.query(`SELECT payment_id, amount_cents, eur_cents FROM "${table}" ORDER BY payment_id`);
      expect(rows).toEqual([
        { payment_id: 'p1', amount_cents: '1250', eur_cents: '1150' },
        { payment_id: 'p3', amount_cents: '700', eur_cents: '819' },
        { payment_id: 'p5', amount_cents: '10000', eur_cents: '10000' },
      ]);
      const dead = readFileSync(join(dir, 'dead.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { item: { id: string }; error: { code: string; message: string } });
      expect(dead.map((d) => [d.item.id, d.error.code])).toEqual([['p2', 'CHECK_FAILED'], ['p4', 'CHECK_FAILED']]);
      expect(dead[0]!.error.message).toContain('a payment needs an id, a user, an amount > 0');
    }, 60_000);
  });
});
