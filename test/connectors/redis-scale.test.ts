// Scale-out with Redis Streams: three copies of one pipeline (child processes) read the same
// consumer group under different names; one is killed with kill -9 mid-run; the survivors claim
// its unacked entries (XAUTOCLAIM past claimIdleMs), so every input entry reaches the output. The
// output is deduplicated by the input's n, and the duplicates (entries the victim had processed
// but not acked) are counted and reported, not forbidden: the guarantee is at least once. Every
// output entry of one n has one key (made of the input entry's id): a sink could drop the others.
import { afterAll, describe, expect, it } from 'vitest';
import { addAll, cleanup, entries, pendingCount, redis, server, streamKey, until, url } from './redis-db.js';
import { killCopies, startCopy, stopCopies, type Copy } from './copies.js';
import { skip } from './services.js';

const job = new URL('./fixtures/redis-scale-job.ts', import.meta.url).pathname;
const N = 3000;
const CLAIM_IDLE_MS = 1000;

afterAll(() => cleanup(true));

function start(name: string, input: string, group: string, out: string): Copy {
  return startCopy(name, job, [url, input, group, name, out, String(CLAIM_IDLE_MS)]);
}

describe.skipIf(skip(server))('Redis Streams scale-out under kill -9', () => {
  it('three copies share a group; one killed mid-run, the survivors claim its entries, and every input reaches the output', async () => {
    const input = streamKey('scale-in');
    const out = streamKey('scale-out');
    const group = 'scale';
    await addAll(input, Array.from({ length: N }, (_, n) => ({ n })));
    const copies = ['a', 'b', 'c'].map((name) => start(name, input, group, out));
    try {
      await until('every copy started', () => copies.every((c) => c.stdout.includes('started')), 60_000);
      await until('a fifth of the output written', async () => (await redis().xlen(out)) >= N / 5, 60_000);
      const [victim, ...survivors] = copies as [Copy, ...Copy[]];
      victim.child.kill('SIGKILL');
      expect((await victim.exited).signal).toBe('SIGKILL');
      const orphans = ((await redis().xpending(input, group, '-', '+', N, victim.name))).length;

      const seen = new Map<number, number>();
      const keys = new Map<number, Set<string>>();
      await until(
        'every input n in the output, and nothing pending',
        async () => {
          seen.clear();
          keys.clear();
          for (const e of await entries(out)) {
            const { n } = JSON.parse(e.fields.data!) as { n: number };
            seen.set(n, (seen.get(n) ?? 0) + 1);
            keys.set(n, (keys.get(n) ?? new Set()).add(e.fields.key!));
          }
          return seen.size === N && (await pendingCount(input, group)) === 0;
        },
        120_000,
      );
      const duplicates = [...seen.values()].reduce((sum, k) => sum + k - 1, 0);
      const summaries = await stopCopies<{ redelivered: number; completed: number }>(survivors);
      const redelivered = summaries.reduce((sum, s) => sum + s.redelivered, 0);
      console.log(`redis scale-out: ${N} entries, ${orphans} pending at the victim's kill, ${redelivered} claimed by the survivors, ${duplicates} duplicates in the output`);

      expect([...seen.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: N }, (_, n) => n));
      // The victim's unacked entries were all claimed by the survivors (some may have been claimed back and forth).
      expect(redelivered).toBeGreaterThanOrEqual(orphans);
      // A duplicate is an entry the victim wrote but did not ack: at most what it held.
      expect(duplicates).toBeLessThanOrEqual(orphans);
      // A duplicate carries the key its first copy had (made of the input entry's id in every copy): a sink downstream can drop it.
      for (const [n, k] of keys) expect(k.size, `keys of n ${n}`).toBe(1);
    } finally {
      killCopies(copies);
      await cleanup();
    }
  }, 240_000);
});
