// fromNats and toNats against the real NATS server (JetStream). Each test uses its own streams
// (deleted after it); nothing waits for a time but the ack-wait tests, which need real time: each
// waits for its outcome (items written, messages acked), with generous bounds.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Consecutor, fromIterable, map, node, type FailureRecord } from 'consecution';
import { fromNats } from '../../src/sources/nats.js';
import { toNats } from '../../src/sinks/nats.js';
import { AckPolicy } from '@nats-io/jetstream';
import { cleanup, consumerInfo, messages, nats, newStream, publishAll, server, servers, until } from './nats-db.js';
import { skip } from './services.js';

afterEach(() => cleanup());
afterAll(() => cleanup(true));

/** Whether the consumer has no message delivered and not acked, and none left to deliver. */
async function settled(stream: string, consumer: string): Promise<boolean> {
  const info = await consumerInfo(stream, consumer);
  return info.num_ack_pending === 0 && info.num_pending === 0;
}

describe('fromNats and toNats: options', () => {
  it('rejects bad options at once, showing the value', () => {
    expect(() => fromNats({ stream: '', consumer: 'c' })).toThrow(/stream must be a JetStream name \(no spaces, dots, \* or >\), got string ""/);
    expect(() => fromNats({ stream: 'a.b', consumer: 'c' })).toThrow(/stream must be a JetStream name .*got string "a\.b"/);
    expect(() => fromNats({ stream: 's' } as never)).toThrow(/consumer must be a JetStream name .*got undefined/);
    expect(() => fromNats({ stream: 's', consumer: 'c', ackWaitMs: 0 })).toThrow(/ackWaitMs must be an integer from 1/);
    expect(() => fromNats({ stream: 's', consumer: 'c', batch: 0 })).toThrow(/batch must be an integer >= 1, got number 0/);
    expect(() => fromNats({ stream: 's', consumer: 'c', fetchWaitMs: 10 })).toThrow(/fetchWaitMs must be at least 1000.*got number 10/);
    expect(() => fromNats({ stream: 's', consumer: 'c', format: 'xml' as never })).toThrow(/format must be one of 'json', 'text', 'bytes', got string "xml"/);
    expect(() => fromNats({ stream: 's', consumer: 'c', subject: 'a..b' })).toThrow(/subject must be a NATS subject .*got string "a\.\.b"/);
    expect(() => fromNats({ stream: 's', consumer: 'c', deadLetterSubject: 'dead.*' })).toThrow(/deadLetterSubject must be a NATS subject such as 'orders\.eu' \(no wildcards\), got string "dead\.\*"/);
    expect(() => fromNats({ servers: 'http://x:4222', stream: 's', consumer: 'c' })).toThrow(/servers must be NATS servers .*got string "http:\/\/x:4222"/);
    expect(() => fromNats({ servers: [], stream: 's', consumer: 'c' })).toThrow(/servers must be NATS servers/);
    expect(() => fromNats({ stream: 's', consumer: 'c', ackwait: 1 } as never)).toThrow(/unknown fromNats\(\) option ackwait/);
    expect(() => toNats({ subject: 'orders.>' })).toThrow(/toNats\(\): subject must be a NATS subject such as 'orders\.eu' \(no wildcards\), got string "orders\.>"/);
    expect(() => toNats({ subject: 'x', batchSize: 0 })).toThrow(/batchSize must be an integer >= 1, got number 0/);
    expect(() => toNats({ subjet: 'x' } as never)).toThrow(/unknown toNats\(\) option subjet/);
  });

  it('an unreachable server fails the run naming it, before any item', async () => {
    const bad = 'nats://127.0.0.1:1';
    await expect(new Consecutor(map((x: unknown) => x)).run(fromNats({ servers: bad, stream: 's', consumer: 'c' }))).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      message: expect.stringMatching(/fromNats could not connect to NATS at nats:\/\/127\.0\.0\.1:1/) as unknown,
    });
    const target = toNats({ servers: bad, subject: 's' });
    await expect(target.open()).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringMatching(/toNats could not connect to NATS at nats:\/\/127\.0\.0\.1:1/) as unknown });
  });
});

describe.skipIf(skip(server))('fromNats and toNats against NATS JetStream', () => {
  it('consumes the messages and acks each once its item completed', async () => {
    const { stream, subject } = await newStream('acked');
    await publishAll(subject('in'), [1, 2, 3, 4, 5].map((n) => ({ n })));
    const out: { n: number }[] = [];
    const c = new Consecutor(map((x: { n: number }) => x), { outputs: { default: out } });
    const source = fromNats<{ n: number }>({ servers, stream, consumer: 'c1', batch: 2 });
    const done = c.run(source);
    await until('5 items, all acked', async () => out.length === 5 && (await settled(stream, 'c1')));
    const report = await c.stop();
    expect(await done).toBe(report);
    expect(out.map((x) => x.n)).toEqual([1, 2, 3, 4, 5]);
    expect(report).toMatchObject({ ingested: 5, completed: 5, failed: 0, deadLettered: 0 });
    expect(source.redelivered).toBe(0);
    expect((await consumerInfo(stream, 'c1')).config).toMatchObject({ durable_name: 'c1', ack_policy: 'explicit', ack_wait: 30_000 * 1e6 });
  });

  it('a failing item is replayed, then dead-lettered: terminated, its record in deadLetter and on deadLetterSubject', async () => {
    const { stream, subject } = await newStream('dead');
    const dead = await newStream('dead_letters');
    await publishAll(subject('in'), [1, 2, 3].map((n) => ({ n })));
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
    const source = fromNats<{ n: number }>({ servers, stream, consumer: 'c1', subject: subject('in'), deadLetterSubject: dead.subject('x') });
    const done = c.run(source);
    await until('2 items, 1 dead letter stored, all settled', async () => out.length === 2 && deadLetter.length === 1 && (await settled(stream, 'c1')) && (await messages(dead.stream)).length === 1);
    const report = await c.stop();
    await done;
    expect(tries).toBe(3);
    expect(deadLetter[0]).toMatchObject({ item: { n: 2 }, attempts: 3, node: 'work' });
    const [record] = await messages(dead.stream);
    expect(record!.json()).toMatchObject({ item: { n: 2 }, attempts: 3, stream, seq: 2, subject: subject('in'), error: { message: expect.stringContaining('no 2') as unknown } });
    expect(report).toMatchObject({ completed: 2, deadLettered: 1, retried: 2 });
    expect(source.redelivered).toBe(0);
  });

  it('a message with bad JSON fails with BAD_INPUT naming its stream and sequence, and is terminated', async () => {
    const { stream, subject } = await newStream('bad');
    await publishAll(subject('in'), ['{"n":', { n: 2 }]);
    const out: unknown[] = [];
    const deadLetter: FailureRecord[] = [];
    const c = new Consecutor(map((x: unknown) => x), { outputs: { default: out, deadLetter } });
    const done = c.run(fromNats({ servers, stream, consumer: 'c1' }));
    await until('1 item, 1 dead letter, all settled', async () => out.length === 1 && deadLetter.length === 1 && (await settled(stream, 'c1')));
    await c.stop();
    await done;
    expect(out).toEqual([{ n: 2 }]);
    expect(deadLetter[0]!.error.code).toBe('BAD_INPUT');
    expect(deadLetter[0]!.item).toBe('{"n":');
    expect(deadLetter[0]!.error.message).toMatch(new RegExp(`message 1 of stream ${stream} \\(subject ${stream}\\.in\\) is not valid JSON`));
  });

  it('format text and bytes give the payload as a string and as a Uint8Array', async () => {
    const { stream, subject } = await newStream('text');
    await publishAll(subject('in'), ['hello']);
    const out: unknown[] = [];
    const c = new Consecutor(map((x: unknown) => x), { outputs: { default: out } });
    const done = c.run(fromNats({ servers, stream, consumer: 'text', format: 'text' }));
    await until('1 item', () => out.length === 1);
    await c.stop();
    await done;
    const bytes: unknown[] = [];
    const b = new Consecutor(map((x: unknown) => x), { outputs: { default: bytes } });
    const doneB = b.run(fromNats({ servers, stream, consumer: 'bytes', format: 'bytes' }));
    await until('1 item', () => bytes.length === 1);
    await b.stop();
    await doneB;
    expect(out).toEqual(['hello']);
    expect(bytes[0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(bytes[0] as Uint8Array).toString()).toBe('hello');
  });

  it('an absent stream, a deadLetterSubject no stream holds, or a consumer that filters another subject fails the run naming it', async () => {
    await expect(new Consecutor(map((x: unknown) => x)).run(fromNats({ servers, stream: 'no_such_stream', consumer: 'c' }))).rejects.toThrow(/no stream "no_such_stream" at NATS/);
    const { stream } = await newStream('dls');
    await expect(new Consecutor(map((x: unknown) => x)).run(fromNats({ servers, stream, consumer: 'c', deadLetterSubject: 'nobody.holds.this' }))).rejects.toThrow(
      /no stream at .* holds deadLetterSubject "nobody\.holds\.this"/,
    );
    await (await nats()).jsm.consumers.add(stream, { durable_name: 'eu', ack_policy: AckPolicy.Explicit, filter_subject: `${stream}.eu` });
    await expect(new Consecutor(map((x: unknown) => x)).run(fromNats({ servers, stream, consumer: 'eu', subject: `${stream}.us` }))).rejects.toMatchObject({
      code: 'SOURCE_FAILED',
      message: expect.stringMatching(/consumer "eu" of stream "test_dls_\w+" exists with filter_subject "test_dls_\w+\.eu", not subject "test_dls_\w+\.us"/) as unknown,
    });
  });

  it('an item in flight longer than ackWaitMs is kept (working()), not redelivered to another copy', async () => {
    const { stream, subject } = await newStream('working');
    await publishAll(subject('in'), [{ n: 1 }]);
    let calls = 0;
    const slow = node('slow', {
      async process(x: { n: number }) {
        calls++;
        // Longer than two ack waits: without working() the server would deliver it again.
        await new Promise((r) => setTimeout(r, 5000));
        return x.n;
      },
    });
    const outA: number[] = [];
    const outB: number[] = [];
    const a = new Consecutor(slow, { timeoutMs: 60_000, outputs: { default: outA } });
    const b = new Consecutor(map((x: { n: number }) => x.n), { outputs: { default: outB } });
    const sourceA = fromNats<{ n: number }>({ servers, stream, consumer: 'shared', ackWaitMs: 2000, fetchWaitMs: 1000 });
    const sourceB = fromNats<{ n: number }>({ servers, stream, consumer: 'shared', ackWaitMs: 2000, fetchWaitMs: 1000 });
    const doneA = a.run(sourceA);
    await until('a holds the item', () => calls === 1);
    const doneB = b.run(sourceB);
    await until('a completed and acked it', async () => outA.length === 1 && (await settled(stream, 'shared')));
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all([doneA, doneB]);
    expect(calls).toBe(1);
    expect(outB).toEqual([]);
    expect(sourceA.redelivered + sourceB.redelivered).toBe(0);
    expect((await consumerInfo(stream, 'shared')).num_redelivered).toBe(0);
  });

  it('a stop leaves the messages not settled unacked: the next run gets them again', async () => {
    const { stream, subject } = await newStream('stop');
    await publishAll(subject('in'), [1, 2, 3].map((n) => ({ n })));
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
    const done = c.run(fromNats({ servers, stream, consumer: 'c1', ackWaitMs: 1000, fetchWaitMs: 1000 }));
    // The node takes one item at a time: 3 waits behind 2.
    await until('item 1 acked, 2 and 3 held', async () => seen.includes(1) && (await consumerInfo(stream, 'c1')).num_ack_pending === 2);
    const report = await c.stop();
    await done;
    release();
    expect(report).toMatchObject({ completed: 1, pending: 2 });
    expect((await consumerInfo(stream, 'c1')).num_ack_pending).toBe(2);

    const again: number[] = [];
    const next = new Consecutor(map((x: { n: number }) => x.n), { outputs: { default: again } });
    const source = fromNats<{ n: number }>({ servers, stream, consumer: 'c1', fetchWaitMs: 1000 });
    const doneNext = next.run(source);
    await until('items 2 and 3 again, all settled', async () => again.length === 2 && (await settled(stream, 'c1')));
    await next.stop();
    await doneNext;
    expect(again).toEqual([2, 3]);
    expect(source.redelivered).toBe(2);
  });

  it("a message on its consumer's last delivery (maxDeliver) is dead-lettered with DELIVERY_LIMIT instead of processed, not lost", async () => {
    const { stream, subject } = await newStream('limit');
    const dead = await newStream('limit_dead');
    await publishAll(subject('in'), [{ n: 1 }]);
    const options = { servers, stream, consumer: 'c1', ackWaitMs: 1000, fetchWaitMs: 1000, maxDeliver: 2, deadLetterSubject: dead.subject('x') };
    // The first copy takes the message and never settles it (as if it died on it): stopped, it stays unacked.
    let calls = 0;
    const stuck = node('work', {
      process: () => {
        calls++;
        return new Promise<number>(() => {});
      },
    });
    const first = new Consecutor(stuck, { drainMs: 50, outputs: { default: [] } });
    const firstDone = first.run(fromNats(options));
    await until('the message taken', () => calls === 1);
    expect(await first.stop()).toMatchObject({ completed: 0, pending: 1 });
    await firstDone;

    // Its second delivery is the last one: dead-lettered at once, never given to the node.
    const deadLetter: FailureRecord[] = [];
    const second = new Consecutor(stuck, { outputs: { default: [], deadLetter } });
    const source = fromNats(options);
    const secondDone = second.run(source);
    await until('the dead letter stored, all settled', async () => deadLetter.length === 1 && (await settled(stream, 'c1')) && (await messages(dead.stream)).length === 1);
    const report = await second.stop();
    await secondDone;
    expect(calls).toBe(1);
    expect(report).toMatchObject({ completed: 0, deadLettered: 1 });
    expect(source.redelivered).toBe(1);
    expect(deadLetter[0]).toMatchObject({ item: { n: 1 }, error: { code: 'DELIVERY_LIMIT', message: expect.stringMatching(/message 1 of stream .* is on its delivery 2 of maxDeliver 2/) as unknown } });
    expect((await messages(dead.stream))[0]!.json()).toMatchObject({ item: { n: 1 }, seq: 1, error: { code: 'DELIVERY_LIMIT' } });
  });

  it('a stop hands back at once (nak) the messages fetched and not yet taken by the run; the one taken stays unacked', async () => {
    const { stream, subject } = await newStream('handback');
    await publishAll(subject('in'), [1, 2, 3, 4, 5].map((n) => ({ n })));
    const options = { servers, stream, consumer: 'c1', ackWaitMs: 60_000, fetchWaitMs: 1000 };
    let taken = 0;
    const stuck = node('work', {
      process: () => {
        taken++;
        return new Promise<number>(() => {});
      },
    });
    // maxPending 1: the run takes one message; the reader has fetched all five.
    const first = new Consecutor(stuck, { maxPending: 1, drainMs: 50, outputs: { default: [] } });
    const firstDone = first.run(fromNats(options));
    await until('one taken, five delivered to the reader', async () => taken === 1 && (await consumerInfo(stream, 'c1')).num_ack_pending === 5);
    expect(await first.stop()).toMatchObject({ completed: 0, pending: 1 });
    await firstDone;
    // The four handed back go to the next reader now, long before the 60 s ack wait (the wait for
    // them gives up after 30 s); the one taken stays unacked until then. (The server counts a
    // nak'd message as ack-pending until it is delivered again.)
    const again: number[] = [];
    const next = new Consecutor(map((x: { n: number }) => x.n), { outputs: { default: again } });
    const source = fromNats<{ n: number }>(options);
    const nextDone = next.run(source);
    await until('the four handed back, acked', async () => again.length === 4 && (await consumerInfo(stream, 'c1')).num_ack_pending === 1);
    await next.stop();
    await nextDone;
    expect(again.sort()).toEqual([2, 3, 4, 5]);
    expect(source.redelivered).toBe(4);
  });

  it('toNats publishes each value as JSON with Nats-Msg-Id = meta.key; fromNats reads them back', async () => {
    const { stream, subject } = await newStream('out');
    const target = toNats<{ n: number }>({ servers, subject: subject('totals'), batchSize: 16 });
    const c = new Consecutor(map((n: number) => ({ n })), { outputs: { default: target } });
    const report = await c.run(fromIterable(Array.from({ length: 50 }, (_, i) => i)));
    expect(report).toMatchObject({ ok: true, completed: 50 });
    const written = await messages(stream);
    expect(written.map((m) => m.json<unknown>())).toEqual(Array.from({ length: 50 }, (_, n) => ({ n })));
    expect(new Set(written.map((m) => m.header.get('Nats-Msg-Id'))).size).toBe(50);
    expect(target.duplicates).toBe(0);

    const back: unknown[] = [];
    const again = new Consecutor(map((x: unknown) => x), { outputs: { default: back } });
    const done = again.run(fromNats({ servers, stream, consumer: 'c1' }));
    await until('50 items read back', () => back.length === 50);
    await again.stop();
    await done;
    expect(back).toEqual(Array.from({ length: 50 }, (_, n) => ({ n })));
  });

  it('toNats: the same key twice is stored once, the second confirmed as a duplicate', async () => {
    const { stream, subject } = await newStream('dedupe');
    const target = toNats({ servers, subject: subject('x') });
    await target.open();
    await Promise.all([target.append({ n: 1 }, { key: 'k1', root: 1, attempt: 0 }), target.append({ n: 2 }, { key: 'k2', root: 2, attempt: 0 })]);
    await target.append({ n: 1 }, { key: 'k1', root: 1, attempt: 1 });
    await target.close();
    expect(target.duplicates).toBe(1);
    expect((await messages(stream)).map((m) => m.header.get('Nats-Msg-Id'))).toEqual(['k1', 'k2']);
  });

  it('toNats: no stream holding the subject fails at open, naming it', async () => {
    const target = toNats({ servers, subject: 'nobody.holds.this' });
    await expect(target.open()).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringMatching(/no JetStream stream at .* holds subject "nobody\.holds\.this"/) as unknown });
  });

  it("a copy's keys are made of the message's Nats-Msg-Id, else of its stream and sequence: the same in every copy", async () => {
    const input = await newStream('keyed_in');
    await publishAll(input.subject('in'), [{ n: 1 }]);
    await publishAll(input.subject('in'), [{ n: 2 }], ['upstream-7']);
    const pass = async (consumer: string) => {
      const output = await newStream('keyed_out');
      const c = new Consecutor(map((x: { n: number }) => x), { outputs: { default: toNats({ servers, subject: output.subject('out') }) } });
      const done = c.run(fromNats({ servers, stream: input.stream, consumer }));
      await until('2 messages published', async () => (await messages(output.stream)).length === 2);
      await c.stop();
      await done;
      return (await messages(output.stream)).map((m) => m.header.get('Nats-Msg-Id'));
    };
    const first = await pass('c1');
    expect(first[0]!.startsWith(`${input.stream}:1:`)).toBe(true);
    expect(first[1]!.startsWith('upstream-7:')).toBe(true);
    // Another consumer (another process) handling the same messages gives the same keys.
    expect(await pass('c2')).toEqual(first);
  });
});
