// Kill -9 test (a) of issue 13: every item fromHttp answered 202 before a SIGKILL is processed
// after the restart, and an Idempotency-Key answered before the kill is still remembered.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, until } from './http-harness.js';
import { expectStoreEmpty } from '../store/empty.js';

const job = new URL('./fixtures/http-job.ts', import.meta.url).pathname;

interface Job {
  readonly child: ChildProcessWithoutNullStreams;
  readonly url: URL;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
}

function start(dir: string, hold: boolean): Promise<Job> {
  const child = spawn(process.execPath, ['--import', 'tsx', job, join(dir, 'store'), join(dir, 'sink.txt')], {
    env: { ...process.env, HOLD: hold ? '1' : '0' },
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })),
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening (\S+)/.exec(stdout);
      if (m !== null) resolve({ child, url: new URL(m[1]!), exited });
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    void exited.then(({ code }) => reject(new Error(`the job exited (${code}) before it listened: ${stderr}`)));
  });
}

function sink(dir: string): number[] {
  const file = join(dir, 'sink.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : [];
}

const post = (url: URL, body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', body, headers });

describe('fromHttp: kill -9', () => {
  it('every item answered 202 before the kill reaches the sink after the restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-http-kill-'));
    const first = await start(dir, true);
    const acknowledged = new Set<number>();
    const keyed = await post(first.url, lines(3, 100_000), { 'Idempotency-Key': 'once' });
    expect(keyed.status).toBe(202);
    const keyedIds = ((await keyed.json()) as { ids: number[] }).ids;
    for (let n = 100_000; n < 100_003; n++) acknowledged.add(n);
    // 20 requests of 15 items, 4 at a time: the node holds every item, so maxPending (200) fills
    // and later requests are refused 429 (not acknowledged: they may be sent again); the one
    // whose items were partly read when it filled gets 504 after timeoutMs (not counted either).
    let statuses: number[] = [];
    const firstIds: number[] = [...keyedIds];
    for (let batch = 0; batch < 5; batch++) {
      const sent = await Promise.all(
        Array.from({ length: 4 }, async (_, k) => {
          const from = (batch * 4 + k) * 15;
          const r = await post(first.url, lines(15, from));
          if (r.status === 202) for (let n = from; n < from + 15; n++) acknowledged.add(n);
          if (r.status === 202) firstIds.push(...((await r.json()) as { ids: number[] }).ids);
          return r.status;
        }),
      );
      statuses = statuses.concat(sent);
    }
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s !== 202 && s !== 429 && s !== 504)).toEqual([]);
    expect(statuses).toContain(429);
    // Requests in flight at the kill: their outcome is unknown to the client, so they do not count.
    const inFlight = Array.from({ length: 4 }, (_, k) => post(first.url, lines(15, 10_000 + k * 15)).catch(() => undefined));
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await Promise.all(inFlight);
    expect(sink(dir)).toEqual([]); // nothing got through before the kill: the restart has it all to do

    const second = await start(dir, false);
    const again = await post(second.url, lines(3, 100_000), { 'Idempotency-Key': 'once' });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { ids: number[] }).ids).toEqual(keyedIds);
    const fresh = await post(second.url, lines(5, 50_000));
    expect(fresh.status).toBe(202);
    // Lineage ids never repeat on a store: the restarted run's come after the killed run's.
    const freshIds = ((await fresh.json()) as { ids: number[] }).ids;
    expect(Math.min(...freshIds)).toBeGreaterThan(Math.max(...firstIds));
    for (let n = 50_000; n < 50_005; n++) acknowledged.add(n);

    await until(() => [...acknowledged].every((n) => sink(dir).includes(n)), 'every acknowledged item in the sink', 60_000);
    second.child.kill('SIGTERM');
    const ended = await second.exited;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toContain('"ok":true');
    const got = sink(dir);
    // The keyed request was admitted once: its items are in the sink once.
    expect(got.filter((n) => n >= 100_000)).toHaveLength(3);
    await expectStoreEmpty(join(dir, 'store'));
  }, 120_000);
});
