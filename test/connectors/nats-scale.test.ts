// Scale-out with NATS JetStream: copies of one pipeline (child processes) on the real server.
// - Three copies share one durable consumer; one is killed with kill -9 mid-run; the server
//   redelivers its unacked messages to the survivors after ackWaitMs, so every input reaches the
//   output. The output stream drops what a survivor publishes again for a message the victim had
//   already published (Nats-Msg-Id, made of the input message's stream and sequence in every
//   copy): it holds each input exactly once, and the drops are counted.
// - Three copies each consume their own partition (a subject per partition) with a stateful scan:
//   every key's state lives in one copy, and the per-key totals are exact.
// Nothing waits for a time: each step waits for its outcome, with generous bounds.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, consumerInfo, messages, nats, newStream, publishAll, server, servers, until } from './nats-db.js';
import { skip } from './services.js';

const job = new URL('./fixtures/nats-scale-job.ts', import.meta.url).pathname;
const ACK_WAIT_MS = 2000;

afterAll(() => cleanup(true));

interface Copy {
  readonly who: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface Summary {
  readonly ok: boolean;
  readonly completed: number;
  readonly redelivered: number;
  readonly duplicates: number;
}

function start(who: string, mode: 'shared' | 'partition', stream: string, consumer: string, subject: string | undefined, out: string): Copy {
  const args = ['--import', 'tsx', job, mode, servers, stream, consumer, subject ?? '-', out, String(ACK_WAIT_MS), who];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const copy: Copy = {
    who,
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout.on('data', (d: Buffer) => (copy.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (copy.stderr += d.toString()));
  return copy;
}

/** SIGTERMs the copies; each must exit 0 with its summary line, returned. */
async function stopAll(copies: readonly Copy[]): Promise<Summary[]> {
  for (const c of copies) c.child.kill('SIGTERM');
  const ends = await Promise.all(copies.map((c) => c.exited));
  for (const [i, end] of ends.entries()) expect(end, copies[i]!.stderr).toEqual({ code: 0, signal: null });
  return copies.map((c) => JSON.parse(c.stdout.trim().split('\n').pop()!) as Summary);
}

const count = async (stream: string) => (await (await nats()).jsm.streams.info(stream)).state.messages;
const killAll = (copies: readonly Copy[]) => {
  for (const c of copies) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
};

describe.skipIf(skip(server))('scale-out on NATS JetStream (child processes)', () => {
  it('three copies share a durable consumer; one killed mid-run; every input in the output once, the redelivered ones deduplicated by Nats-Msg-Id', async () => {
    const N = 3000;
    const input = await newStream('scale_in');
    const out = await newStream('scale_out');
    await publishAll(input.subject('orders'), Array.from({ length: N }, (_, n) => ({ n })));
    const copies = ['a', 'b', 'c'].map((who) => start(who, 'shared', input.stream, 'scale', undefined, out.subject('done')));
    try {
      await until('every copy started', () => copies.every((c) => c.stdout.includes('started')), 60_000);
      await until('a fifth of the output written', async () => (await count(out.stream)) >= N / 5, 60_000);
      const [victim, ...survivors] = copies as [Copy, ...Copy[]];
      victim.child.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');

      await until(
        'every input acked, and N messages in the output',
        async () => {
          const info = await consumerInfo(input.stream, 'scale');
          return info.num_pending === 0 && info.num_ack_pending === 0 && (await count(out.stream)) >= N;
        },
        120_000,
      );
      const summaries = await stopAll(survivors);
      const redelivered = summaries.reduce((sum, s) => sum + s.redelivered, 0);
      const dropped = summaries.reduce((sum, s) => sum + s.duplicates, 0);
      const written = await messages(out.stream);
      const ns = written.map((m) => m.json<{ n: number }>().n);
      console.log(`nats scale-out: ${N} messages, ${redelivered} redelivered to the survivors, ${dropped} publishes dropped by the output stream as duplicates`);

      expect(ns.sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, n) => n));
      // The victim held messages when it died (it pulls ahead): they came back to the survivors.
      expect(redelivered, 'messages redelivered after the kill').toBeGreaterThan(0);
      // What was published twice was dropped by the stream: a duplicate is only a message the victim published and did not ack.
      expect(dropped).toBeLessThanOrEqual(redelivered);
      expect(summaries.every((s) => s.ok)).toBe(true);
    } finally {
      killAll(copies);
    }
  }, 240_000);

  it('a stateful stage partitioned by key across three copies (a subject per partition) gives exact per-key totals', async () => {
    const P = 3;
    const KEYS = 9;
    const N = 900;
    const input = await newStream('part_in');
    const out = await newStream('part_out');
    const expected = new Map<string, number>();
    const orders = Array.from({ length: N }, (_, n) => ({ n, key: `k${n % KEYS}`, cents: 1 + ((n * 7) % 100) }));
    for (const o of orders) expected.set(o.key, (expected.get(o.key) ?? 0) + o.cents);
    // Key k<i> belongs to partition i % P.
    for (let p = 0; p < P; p++) {
      await publishAll(
        input.subject(`p${p}`),
        orders.filter((o) => Number(o.key.slice(1)) % P === p),
      );
    }
    const copies = Array.from({ length: P }, (_, p) => start(`p${p}`, 'partition', input.stream, `part-${p}`, input.subject(`p${p}`), out.subject('totals')));
    try {
      await until('every order totalled', async () => (await count(out.stream)) >= N, 120_000);
      const summaries = await stopAll(copies);
      expect(summaries.map((s) => s.completed)).toEqual([300, 300, 300]);
      const totals = (await messages(out.stream)).map((m) => m.json<{ key: string; total: number; by: string }>());
      expect(totals).toHaveLength(N);
      const got = new Map<string, number>();
      const owner = new Map<string, Set<string>>();
      for (const t of totals) {
        got.set(t.key, Math.max(got.get(t.key) ?? 0, t.total));
        owner.set(t.key, (owner.get(t.key) ?? new Set()).add(t.by));
      }
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
      for (const [key, by] of owner) expect([...by], `copies holding ${key}`).toEqual([`p${Number(key.slice(1)) % P}`]);
    } finally {
      killAll(copies);
    }
  }, 240_000);
});
