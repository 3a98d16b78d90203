// kill -9 (c): a durable run from one PostgreSQL table into another (fromPostgres keyset, a node
// failing transiently, toPostgres with keyColumn), killed at random moments and restarted, leaves
// exactly one row per key, and per source row.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { admin, connection, server, table } from './postgres-db.js';
import { skip } from './services.js';
import { expectStoreEmpty } from '../store/empty.js';

const job = new URL('./fixtures/postgres-job.ts', import.meta.url).pathname;
const N = 4000;

/** Runs the job; kills it with SIGKILL `killAfterMs` after its first write, unless undefined. Resolves with its summary, or 'killed'. */
function runJob(store: string, from: string, to: string, killAfterMs: number | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, store, JSON.stringify(connection), from, to], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (killAfterMs !== undefined && stdout.includes('started')) {
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        killAfterMs = undefined;
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve(stdout);
      else reject(new Error(`job exited with ${code}: ${stderr}`));
    });
  });
}

describe.skipIf(skip(server))('toPostgres and fromPostgres under kill -9', () => {
  it('a run replayed and killed mid-way, then restarted, leaves exactly one row per key', async () => {
    const db = await admin();
    const from = await table(db, 'kill_src', 'id int PRIMARY KEY');
    const to = await table(db, 'kill_dst', 'n int NOT NULL, key text PRIMARY KEY');
    await db.query(`INSERT INTO "${from}" SELECT g FROM generate_series(1, $1) g`, [N]);
    const store = join(mkdtempSync(join(tmpdir(), 'consecution-pg-kill-')), 'store');
    let kills = 0;
    for (let i = 0; i < 12 && kills < 5; i++) {
      const ended = await runJob(store, from, to, 30 + Math.floor(Math.random() * 250));
      if (ended !== 'killed') break; // it finished before the kill
      kills++;
    }
    expect(kills).toBeGreaterThanOrEqual(3);
    const last = await runJob(store, from, to, undefined);
    expect(last).toContain('"done":true');
    expect(last).toContain('"ok":true');

    const { rows } = await db.query<{ rows: string; ns: string; missing: string }>(
      `SELECT count(*) AS rows, count(DISTINCT n) AS ns, (SELECT count(*) FROM "${from}" s WHERE NOT EXISTS (SELECT 1 FROM "${to}" d WHERE d.n = s.id)) AS missing FROM "${to}"`,
    );
    expect(rows[0]).toEqual({ rows: String(N), ns: String(N), missing: '0' });
    await expectStoreEmpty(store);
  }, 180_000);
});
