// fromRedisStream and toRedisStream against the real Redis server. Each test uses its own stream
// keys (deleted after it); nothing waits for a time: each waits for its outcome (items written,
// entries acked), with generous bounds.
import { Pipeline } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Consecutor, fromIterable, map, node, type FailureRecord } from 'consecution';
import { fromRedisStream } from '../../src/sources/redis-stream.js';
import { toRedisStream } from '../../src/sinks/redis-stream.js';
import { addAll, cleanup, entries, pendingCount, redis, server, streamKey, until, url } from './redis-db.js';
import { skip } from './services.js';

afterEach(() => cleanup());
afterAll(() => cleanup(true));

/** Delivers the first `n` entries of `stream` to `consumer` of `group` (creating it), and acks none: a consumer that died. */
async function deliverWithoutAck(stream: string, group: string, consumer: string, n: number): Promise<string[]> {
  await redis().xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  const reply = (await redis().xreadgroup('GROUP', group, consumer, 'COUNT', n, 'STREAMS', stream, '>')) as [string, [string, string[]][]][];
  return reply[0]![1].map(([id]) => id);
}

describe('fromRedisStream and toRedisStream: options', () => {
  it('rejects bad options at once, showing the value', () => {
    expect(() => fromRedisStream({ stream: '', group: 'g', consumer: 'c' })).toThrow(/stream must be the key of a Redis stream.*got string ""/);
    expect(() => fromRedisStream({ stream: 's', group: 'g', consumer: 'c', claimIdleMs: 0 })).toThrow(/claimIdleMs must be an integer from 1/);
    expect(() => fromRedisStream({ stream: 's', group: 'g', consumer: 'c', format: 'xml' as never })).toThrow(/format must be one of 'json', 'text', got string "xml"/);
    expect(() => fromRedisStream({ stream: 's', group: 'g' } as never)).toThrow(/consumer must be a non-empty string, got undefined/);
    expect(() => fromRedisStream({ url: 'http://x', stream: 's', group: 'g', consumer: 'c' })).toThrow(/url must be a Redis URL/);
    expect(() => fromRedisStream({ stream: 's', group: 'g', consumer: 'c', groop: 1 } as never)).toThrow(/unknown fromRedisStream\(\) option groop/);
    expect(() => toRedisStream({ stream: 's', maxLen: -1 })).toThrow(/maxLen must be an integer >= 1, got number -1/);
    expect(() => toRedisStream({ stream: 's', field: 'key' })).toThrow(/field must be a field other than 'key'/);
  });
});

describe.skipIf(skip(server))('fromRedisStream and toRedisStream against Redis', () => {
  it('consumes the entries and XACKs each once its item completed', async () => {
    const stream = streamKey('acked');
    await addAll(stream, [1, 2, 3, 4, 5].map((n) => ({ n })));
    const out: { n: number }[] = [];
    const c = new Consecutor(map((x: { n: number }) => x), { outputs: { default: out } });
    const done = c.run(fromRedisStream<{ n: number }>({ url, stream, group: 'g', consumer: 'c1' }));
    await until('5 items, all acked', async () => out.length === 5 && (await pendingCount(stream, 'g')) === 0);
    const report = await c.stop();
    expect(await done).toBe(report);
    expect(out.map((x) => x.n)).toEqual([1, 2, 3, 4, 5]);
    expect(report).toMatchObject({ ingested: 5, completed: 5, failed: 0, deadLettered: 0 });
  });

  it('a failing item is replayed, then dead-lettered: acked, and its record in deadLetter and deadLetterStream', async () => {
    const stream = streamKey('dead');
    const dls = streamKey('dead-letters');
    await addAll(stream, [1, 2, 3].map((n) => ({ n })));
    const out: number[] = [];
    const deadLetter: FailureRecord[] = [];
    let tries = 0;
    const work = node('work', {
      process(x: { n: number }) {
        if (x.n === 2) {
          tries++;
          throw new Error('no 2');
        }
        return x.n;
      },
    });
    const c = new Consecutor(work, { guarantee: 'replay', retries: 2, outputs: { default: out, deadLetter } });
    const source = fromRedisStream<{ n: number }>({ url, stream, group: 'g', consumer: 'c1', deadLetterStream: dls });
    const done = c.run(source);
    await until('2 items, 1 dead letter, all acked', async () => out.length === 2 && deadLetter.length === 1 && (await pendingCount(stream, 'g')) === 0 && (await entries(dls)).length === 1);
    const report = await c.stop();
    await done;
    expect(tries).toBe(3);
    expect(deadLetter[0]).toMatchObject({ item: { n: 2 }, attempts: 3, node: 'work' });
    const [record] = await entries(dls);
    expect(JSON.parse(record!.fields.data!)).toMatchObject({ item: { n: 2 }, attempts: 3, stream, error: { message: expect.stringContaining('no 2') as unknown } });
    expect(report).toMatchObject({ completed: 2, deadLettered: 1, retried: 2 });
    expect(source.redelivered).toBe(0);
  });

  it('an entry with bad JSON, or without the field, fails with BAD_INPUT and is acked', async () => {
    const stream = streamKey('bad');
    await redis().xadd(stream, '*', 'data', '{"n":');
    await redis().xadd(stream, '*', 'other', 'x');
    await addAll(stream, [{ n: 3 }]);
    const out: unknown[] = [];
    const deadLetter: FailureRecord[] = [];
    const c = new Consecutor(map((x: unknown) => x), { outputs: { default: out, deadLetter } });
    const done = c.run(fromRedisStream({ url, stream, group: 'g', consumer: 'c1' }));
    await until('1 item, 2 dead letters, all acked', async () => out.length === 1 && deadLetter.length === 2 && (await pendingCount(stream, 'g')) === 0);
    await c.stop();
    await done;
    expect(out).toEqual([{ n: 3 }]);
    expect(deadLetter.map((d) => d.error.code)).toEqual(['BAD_INPUT', 'BAD_INPUT']);
    expect(deadLetter[0]!.item).toBe('{"n":');
    expect(deadLetter[0]!.error.message).toMatch(/field "data" is not valid JSON/);
    expect(deadLetter[1]!.item).toEqual({ other: 'x' });
    expect(deadLetter[1]!.error.message).toMatch(/no field "data" \(its fields: other\)/);
  });

  it('format text gives the field as a string', async () => {
    const stream = streamKey('text');
    await redis().xadd(stream, '*', 'line', 'hello');
    const out: unknown[] = [];
    const c = new Consecutor(map((x: unknown) => x), { outputs: { default: out } });
    const done = c.run(fromRedisStream({ url, stream, group: 'g', consumer: 'c1', format: 'text', field: 'line' }));
    await until('1 item', () => out.length === 1);
    await c.stop();
    await done;
    expect(out).toEqual(['hello']);
  });

  it('a consumer restarted under the same name reads its own pending entries first', async () => {
    const stream = streamKey('restart');
    await addAll(stream, [1, 2, 3].map((n) => ({ n })));
    const pending = await deliverWithoutAck(stream, 'g', 'c1', 3);
    await addAll(stream, [4, 5].map((n) => ({ n })));
    const seen: number[] = [];
    const c = new Consecutor(map((x: { n: number }) => x.n), { outputs: { default: seen } });
    const source = fromRedisStream<{ n: number }>({ url, stream, group: 'g', consumer: 'c1' });
    const done = c.run(source);
    await until('5 items, all acked', async () => seen.length === 5 && (await pendingCount(stream, 'g')) === 0);
    await c.stop();
    await done;
    expect(pending).toHaveLength(3);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(source.redelivered).toBe(3);
  });

  it("a second consumer claims the entries a consumer left unacked past claimIdleMs", async () => {
    const stream = streamKey('claim');
    await addAll(stream, [1, 2, 3, 4].map((n) => ({ n })));
    await deliverWithoutAck(stream, 'g', 'dead', 4);
    await addAll(stream, [5].map((n) => ({ n })));
    const seen: number[] = [];
    const c = new Consecutor(map((x: { n: number }) => x.n), { outputs: { default: seen } });
    const source = fromRedisStream<{ n: number }>({ url, stream, group: 'g', consumer: 'alive', claimIdleMs: 500, blockMs: 100 });
    const done = c.run(source);
    await until('5 items, all acked', async () => seen.length === 5 && (await pendingCount(stream, 'g')) === 0);
    await c.stop();
    await done;
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(source.redelivered).toBe(4);
    const consumers = (await redis().xinfo('CONSUMERS', stream, 'g')) as unknown[][];
    expect(consumers.map((c) => c[1]).sort()).toEqual(['alive', 'dead']);
  });

  it('an item in flight longer than claimIdleMs is kept by its live consumer, not claimed by another', async () => {
    const stream = streamKey('keep');
    await addAll(stream, [{ n: 1 }]);
    let release: () => void = () => {};
    const hold = new Promise<void>((r) => (release = r));
    let holding = false;
    const slow = node('slow', {
      async process(x: { n: number }) {
        holding = true;
        await hold;
        return x.n;
      },
    });
    const outA: number[] = [];
    const outB: number[] = [];
    const a = new Consecutor(slow, { timeoutMs: 60_000, outputs: { default: outA } });
    const b = new Consecutor(map((x: { n: number }) => x.n), { outputs: { default: outB } });
    const sourceB = fromRedisStream<{ n: number }>({ url, stream, group: 'g', consumer: 'b', claimIdleMs: 300, blockMs: 100 });
    const doneA = a.run(fromRedisStream<{ n: number }>({ url, stream, group: 'g', consumer: 'a', claimIdleMs: 300, blockMs: 100 }));
    await until('a holds the item', () => holding);
    const doneB = b.run(sourceB);
    // Several of b's claim rounds go by (each every 150 ms) while a holds the entry.
    await new Promise((r) => setTimeout(r, 1500));
    release();
    await until('a completed and acked it', async () => outA.length === 1 && (await pendingCount(stream, 'g')) === 0);
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all([doneA, doneB]);
    expect(outB).toEqual([]);
    expect(sourceB.redelivered).toBe(0);
  });

  it('a stop leaves the entries not settled pending, for the next run', async () => {
    const stream = streamKey('stop');
    await addAll(stream, [1, 2, 3].map((n) => ({ n })));
    const seen: number[] = [];
    let release: () => void = () => {};
    const hold = new Promise<void>((r) => (release = r));
    const work = node('work', {
      async process(x: { n: number }) {
        if (x.n === 2) await hold;
        return x.n;
      },
    });
    const c = new Consecutor(work, { drainMs: 50, outputs: { default: seen } });
    const done = c.run(fromRedisStream({ url, stream, group: 'g', consumer: 'c1' }));
    await until('item 1 acked, 2 and 3 pending', async () => seen.includes(1) && (await pendingCount(stream, 'g')) === 2);
    const report = await c.stop();
    await done;
    release();
    expect(report.pending).toBeGreaterThan(0);
    expect(await pendingCount(stream, 'g')).toBe(3 - report.completed);
  });

  it('toRedisStream adds an entry per value, its JSON in data and its key in key; fromRedisStream reads them back', async () => {
    const stream = streamKey('out');
    const target = toRedisStream<{ n: number }>({ url, stream, batchSize: 16 });
    const c = new Consecutor(map((n: number) => ({ n })), { outputs: { default: target } });
    const report = await c.run(fromIterable(Array.from({ length: 100 }, (_, i) => i)));
    expect(report).toMatchObject({ ok: true, completed: 100 });
    const written = await entries(stream);
    expect(written).toHaveLength(100);
    expect(written.map((e) => JSON.parse(e.fields.data!) as unknown)).toEqual(Array.from({ length: 100 }, (_, n) => ({ n })));
    expect(new Set(written.map((e) => e.fields.key)).size).toBe(100);
    expect(Object.keys(written[0]!.fields)).toEqual(['data', 'key']);

    const back: unknown[] = [];
    const again = new Consecutor(map((x: unknown) => x), { outputs: { default: back } });
    const done = again.run(fromRedisStream({ url, stream, group: 'g', consumer: 'c1' }));
    await until('100 items read back', () => back.length === 100);
    await again.stop();
    await done;
    expect(back).toEqual(Array.from({ length: 100 }, (_, n) => ({ n })));
  });

  it("a copy's keys are made of the entry's key field, else of the stream and the entry's id: the same in every copy", async () => {
    const input = streamKey('keyed-in');
    const [plainId] = await addAll(input, [{ n: 1 }]);
    await redis().xadd(input, '*', 'data', JSON.stringify({ n: 2 }), 'key', 'upstream-7');
    const pass = async (consumer: string, group: string) => {
      const output = streamKey('keyed-out');
      const c = new Consecutor(map((x: { n: number }) => x), { outputs: { default: toRedisStream({ url, stream: output }) } });
      const done = c.run(fromRedisStream({ url, stream: input, group, consumer }));
      await until('2 entries written', async () => (await entries(output)).length === 2);
      await c.stop();
      await done;
      return (await entries(output)).map((e) => e.fields.key!);
    };
    const first = await pass('c1', 'g1');
    expect(first[0]!.startsWith(`${input}:${plainId}:`)).toBe(true);
    expect(first[1]!.startsWith('upstream-7:')).toBe(true);
    // Another consumer (another process) handling the same entries gives the same keys.
    expect(await pass('c2', 'g2')).toEqual(first);
  });

  it('toRedisStream sends the appends made at once in one pipeline per batch, and maxLen trims the stream', async () => {
    const stream = streamKey('trim');
    const target = toRedisStream({ url, stream, maxLen: 10, batchSize: 100 });
    await target.open();
    const exec = vi.spyOn(Pipeline.prototype, 'exec');
    try {
      await Promise.all(Array.from({ length: 1000 }, (_, n) => target.append({ n }, { key: `k${n}`, root: n, attempt: 0 })));
      expect(exec).toHaveBeenCalledTimes(10);
    } finally {
      exec.mockRestore();
    }
    await target.close();
    expect(await redis().xlen(stream)).toBeLessThan(1000);
    const last = await entries(stream);
    expect(last[last.length - 1]!.fields).toEqual({ data: '{"n":999}', key: 'k999' });
  });

  it('an unreachable server fails the run naming it', async () => {
    const bad = 'redis://127.0.0.1:1';
    await expect(new Consecutor(map((x: unknown) => x)).run(fromRedisStream({ url: bad, stream: 's', group: 'g', consumer: 'c' }))).rejects.toThrow(/could not connect to Redis at redis:\/\/127\.0\.0\.1:1/);
    const target = toRedisStream({ url: bad, stream: 's' });
    await expect(new Consecutor(map((x: unknown) => x), { outputs: { default: target } }).run([1])).rejects.toThrow(/toRedisStream could not connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
