// fromZmq and toZmq against real zeromq sockets on 127.0.0.1. Nothing here waits for a time: each
// test waits for its outcome (messages received, items written), with generous bounds.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zmq from 'zeromq';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Consecutor, fromIterable, fromZmq, map, node, toZmq, type FailureRecord, type Source } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { loadOptional } from '../../src/connectors/optional.js';
import { waitFor } from '../worker/log.js';

// zeromq is loaded when a connector opens; loaded here first, so that no open waits for it on virtual time.
beforeAll(() => loadOptional('zeromq', 'toZmq'));

const sockets: zmq.Socket[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A TCP endpoint on 127.0.0.1 at a port free just now. */
async function freeUri(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `tcp://127.0.0.1:${port}`;
}

function track<S extends zmq.Socket>(socket: S): S {
  socket.linger = 0;
  sockets.push(socket);
  return socket;
}

/** A raw PUSH socket connected to `uri`. */
function pusher(uri: string): zmq.Push {
  const push = track(new zmq.Push());
  push.connect(uri);
  return push;
}

/**
 * Runs `source` until `out` holds `n` values, then stops it: the values, the dead letters, the
 * report. `feed` sends the messages once the run is under way.
 */
async function readN<T>(source: Source<T>, n: number, feed: () => Promise<void>, options: { store?: { path: string } } = {}) {
  const out: T[] = [];
  const deadLetter: FailureRecord[] = [];
  const c = new Consecutor(map((x: T) => x), { ...options, outputs: { default: out, deadLetter } });
  const done = c.run(source);
  await feed();
  await waitFor(`${n} items`, () => out.length + deadLetter.length >= n, 20_000);
  const report = await c.stop();
  expect(await done).toBe(report);
  return { out, deadLetter, report };
}

describe('fromZmq', () => {
  it("pull (binds by default): each JSON message is an item, in order; stop() ends the run", async () => {
    const uri = await freeUri();
    const push = pusher(uri);
    const { out, report } = await readN(fromZmq({ uri, pattern: 'pull' }), 100, async () => {
      for (let i = 0; i < 100; i++) await push.send(JSON.stringify({ i }));
    });
    expect(out).toEqual(Array.from({ length: 100 }, (_, i) => ({ i })));
    expect(report).toMatchObject({ ok: true, stopped: true, ingested: 100, completed: 100, pending: 0 });
  });

  it('a malformed JSON message becomes a BAD_INPUT item with its text; the run goes on', async () => {
    const uri = await freeUri();
    const push = pusher(uri);
    const { out, deadLetter, report } = await readN(fromZmq({ uri, pattern: 'pull', name: 'feed' }), 3, async () => {
      await push.send('{"a":1}');
      await push.send('{"a":');
      await push.send('{"a":3}');
    });
    expect(out).toEqual([{ a: 1 }, { a: 3 }]);
    expect(report).toMatchObject({ ingested: 3, completed: 2, deadLettered: 1 });
    expect(deadLetter[0]).toMatchObject({ item: '{"a":', node: 'feed', error: { code: 'BAD_INPUT' } });
    expect(deadLetter[0]!.error.message).toMatch(/^feed message 2: not valid JSON \(/);
  });

  it("format 'ndjson': an item per line (blank lines skipped, a bad line failed alone, by line number); 'text': the message's text", async () => {
    const uri = await freeUri();
    const push = pusher(uri);
    const nd = await readN(fromZmq({ uri, pattern: 'pull', format: 'ndjson', name: 'lines' }), 4, async () => {
      await push.send('{"n":1}\n\n{"n":2}\r\nnot json\n');
      await push.send('{"n":3}');
    });
    expect(nd.out).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(nd.deadLetter.map((d) => [d.item, d.error.message.replace(/ \(.*$/, '')])).toEqual([['not json', 'lines message 1 line 4: not valid JSON']]);

    const uri2 = await freeUri();
    const push2 = pusher(uri2);
    const text = await readN(fromZmq({ uri: uri2, pattern: 'pull', format: 'text' }), 2, async () => {
      await push2.send('plain words');
      await push2.send(['a topic frame', 'the body is the last frame']);
    });
    expect(text.out).toEqual(['plain words', 'the body is the last frame']);
  });

  it("sub: only the topics subscribed to arrive (the topic frame is not part of the item)", async () => {
    const uri = await freeUri();
    const pub = track(new zmq.Publisher());
    pub.connect(uri);
    let stop = false;
    const { out } = await readN(fromZmq({ uri, pattern: 'sub', topics: ['prices'] }), 5, async () => {
      // A publisher's first messages are dropped until the subscription has reached it: send until enough arrived.
      void (async () => {
        try {
          for (let seq = 0; !stop; seq++) {
            await pub.send(['prices', JSON.stringify({ topic: 'prices', seq })]);
            await pub.send(['news', JSON.stringify({ topic: 'news', seq })]);
            await new Promise((resolve) => setImmediate(resolve));
          }
        } catch {
          // closed by afterEach
        }
      })();
    });
    stop = true;
    const got = out as { topic: string; seq: number }[];
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(got.every((m) => m.topic === 'prices')).toBe(true);
    expect(got.map((m) => m.seq)).toEqual([...got.map((m) => m.seq)].sort((a, b) => a - b));
  });

  it('connects with bind: false (to a PUSH that binds)', async () => {
    const uri = await freeUri();
    const push = track(new zmq.Push());
    await push.bind(uri);
    const { out } = await readN(fromZmq({ uri, pattern: 'pull', bind: false }), 2, async () => {
      await push.send('1');
      await push.send('2');
    });
    expect(out).toEqual([1, 2]);
  });

  it('an address in use fails the run with SOURCE_FAILED naming the uri, before any item', async () => {
    const uri = await freeUri();
    await track(new zmq.Pull()).bind(uri);
    const c = new Consecutor(map((x: unknown) => x));
    const run = c.run(fromZmq({ uri, pattern: 'pull' }));
    await expect(run).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining(`fromZmq could not bind ${uri}: Address already in use`) });
    expect(c.metrics().ingested).toBe(0);
  });

  it('on a durable store, messages admitted and not completed at a stop are replayed by the next run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-zmq-'));
    dirs.push(dir);
    const uri = await freeUri();
    const push = pusher(uri);
    const done: number[] = [];
    const hold = (held: boolean) =>
      node('work', {
        async process(x: number) {
          if (held && x >= 2) await new Promise(() => {});
          done.push(x);
          return x;
        },
      });
    const options = { guarantee: 'replay' as const, store: { path: dir }, drainMs: 200 };
    const c1 = new Consecutor(hold(true), options);
    const run1 = c1.run(fromZmq({ uri, pattern: 'pull' }));
    for (const x of [1, 2, 3]) await push.send(String(x));
    await waitFor('3 admitted', () => c1.metrics().ingested === 3, 20_000);
    expect(await c1.stop()).toMatchObject({ stopped: true, completed: 1, pending: 2 });
    await run1;
    const c2 = new Consecutor(hold(false), options);
    const run2 = c2.run(fromZmq({ uri, pattern: 'pull' }));
    await waitFor('2 and 3 replayed', () => done.length === 3, 20_000);
    await push.send('4');
    await waitFor('4', () => done.length === 4, 20_000);
    await c2.stop();
    await run2;
    expect(done).toEqual([1, 2, 3, 4]);
  });

  it('rejects bad options at once, showing the value', () => {
    const bad = (options: unknown, message: string) => expect(() => fromZmq(options as never)).toThrow(message);
    bad('tcp://127.0.0.1:5555', 'fromZmq() takes its options in one object, { uri, pattern, ... }; got string "tcp://127.0.0.1:5555"');
    bad({ uri: '127.0.0.1:5555', pattern: 'pull' }, `fromZmq(): uri must be a ZeroMQ endpoint such as 'tcp://127.0.0.1:5555', got string "127.0.0.1:5555"`);
    bad({ uri: 'tcp://127.0.0.1:5555' }, "fromZmq(): pattern must be one of 'pull', 'sub', got undefined");
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'push' }, `fromZmq(): pattern must be one of 'pull', 'sub', got string "push"`);
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'pull', topics: ['a'] }, "fromZmq(): topics must be given only with pattern 'sub'");
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'sub', topics: 'a' }, 'fromZmq(): topics must be an array of strings, got string "a"');
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'pull', format: 'csv' }, `fromZmq(): format must be one of 'json', 'ndjson', 'text', got string "csv"`);
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'pull', bind: 'yes' }, 'fromZmq(): bind must be true or false, got string "yes"');
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'pull', topic: 'a' }, 'did you mean topics?');
  });
});

describe('toZmq', () => {
  /** A raw PULL socket bound to `uri`, collecting the messages' frames as text. */
  async function puller(uri: string): Promise<string[][]> {
    const pull = track(new zmq.Pull());
    await pull.bind(uri);
    const got: string[][] = [];
    void (async () => {
      try {
        for (;;) got.push((await pull.receive()).map(String));
      } catch {
        // closed by afterEach
      }
    })();
    return got;
  }

  it('push (connects by default): each value is a JSON message, confirmed once handed to the socket', async () => {
    const uri = await freeUri();
    const got = await puller(uri);
    const c = new Consecutor(map((x: number) => ({ x })), { outputs: { default: toZmq({ uri, pattern: 'push' }) } });
    expect(await c.run(fromIterable([1, 2, 3]))).toMatchObject({ ok: true, completed: 3 });
    await waitFor('3 messages', () => got.length === 3, 20_000);
    expect(got).toEqual([['{"x":1}'], ['{"x":2}'], ['{"x":3}']]);
  });

  it('topic: a first frame, a string or made from the value', async () => {
    const uri = await freeUri();
    const got = await puller(uri);
    const target = toZmq<{ kind: string }>({ uri, pattern: 'push', topic: (v) => v.kind });
    const c = new Consecutor(map((x: { kind: string }) => x), { outputs: { default: target } });
    await c.run([{ kind: 'a' }, { kind: 'b' }]);
    await waitFor('2 messages', () => got.length === 2, 20_000);
    expect(got).toEqual([['a', '{"kind":"a"}'], ['b', '{"kind":"b"}']]);
  });

  it('pub (bind: true) to a SUB peer, which gets the topics it subscribed to', async () => {
    const uri = await freeUri();
    const c = new Consecutor(map((x: { topic: string; n: number }) => x), {
      outputs: { default: toZmq<{ topic: string; n: number }>({ uri, pattern: 'pub', bind: true, topic: (v) => v.topic }) },
    });
    const down = c.up();
    const sub = track(new zmq.Subscriber());
    sub.connect(uri);
    sub.subscribe('odd');
    const got: string[][] = [];
    void (async () => {
      try {
        for (;;) got.push((await sub.receive()).map(String));
      } catch {
        // closed by afterEach
      }
    })();
    // A subscriber misses what was published before it joined: publish until it has 3.
    for (let n = 0; got.length < 3; n++) {
      await c.push({ topic: n % 2 === 1 ? 'odd' : 'even', n });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await c.down()).toMatchObject({ ok: true });
    void down;
    expect(got.every(([topic, body]) => topic === 'odd' && (JSON.parse(body!) as { n: number }).n % 2 === 1)).toBe(true);
  });

  it('end to end: toZmq push into fromZmq pull, each item once, in order', async () => {
    const uri = await freeUri();
    const received: number[] = [];
    const reader = new Consecutor(map((x: number) => x), { outputs: { default: received } });
    const reading = reader.run(fromZmq<number>({ uri, pattern: 'pull' }));
    const writer = new Consecutor(map((x: number) => x * 10), { outputs: { default: toZmq({ uri, pattern: 'push' }) } });
    expect(await writer.run(fromIterable(Array.from({ length: 500 }, (_, i) => i)))).toMatchObject({ ok: true, completed: 500 });
    await waitFor('500 received', () => received.length === 500, 20_000);
    await reader.stop();
    await reading;
    expect(received).toEqual(Array.from({ length: 500 }, (_, i) => i * 10));
  });

  it('push with no peer holds the item (back-pressure): it times out and is retried, and a peer that comes gets it, twice (at-least-once)', async () => {
    const uri = await freeUri();
    const clock = new VirtualClock();
    const c = new Consecutor(map((x: number) => x), { clock, guarantee: 'replay', timeoutMs: 1_000, outputs: { default: toZmq({ uri, pattern: 'push' }) } });
    const done = c.run([7]);
    await clock.runUntil(() => c.metrics().retried === 1);
    expect(c.metrics()).toMatchObject({ completed: 0, pending: 1 });
    const got = await puller(uri);
    expect(await done).toMatchObject({ ok: true, completed: 1, retried: 1 });
    await waitFor('2 messages', () => got.length === 2, 20_000);
    expect(got).toEqual([['7'], ['7']]);
  });

  it('a value that is not JSON fails that item alone (OUTPUT_FAILED, not retried); the others are sent', async () => {
    const uri = await freeUri();
    const got = await puller(uri);
    const deadLetter: FailureRecord[] = [];
    const c = new Consecutor(map((x: number) => (x === 2 ? { big: 2n } : { x })), {
      guarantee: 'replay',
      outputs: { default: toZmq({ uri, pattern: 'push' }), deadLetter },
    });
    expect(await c.run([1, 2, 3])).toMatchObject({ completed: 2, deadLettered: 1 });
    expect(deadLetter[0]!.attempts).toBe(1);
    expect(deadLetter[0]!.error).toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining(`toZmq ${uri}: the value cannot be sent as JSON: Do not know how to serialize a BigInt`) });
    await waitFor('2 messages', () => got.length === 2, 20_000);
    expect(got).toEqual([['{"x":1}'], ['{"x":3}']]);
  });

  it('an address in use fails the run at open with OUTPUT_FAILED naming the uri, before any item is read', async () => {
    const uri = await freeUri();
    await track(new zmq.Pull()).bind(uri);
    let reads = 0;
    const source = fromIterable(
      (function* () {
        for (;;) {
          reads++;
          yield 1;
        }
      })(),
    );
    const c = new Consecutor(map((x: number) => x), { outputs: { default: toZmq({ uri, pattern: 'push', bind: true }) } });
    await expect(c.run(source)).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining(`toZmq could not bind ${uri}: Address already in use`) });
    expect(reads).toBe(0);
  });

  it('rejects bad options at once, showing the value', () => {
    const bad = (options: unknown, message: string) => expect(() => toZmq(options as never)).toThrow(message);
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'pull' }, `toZmq(): pattern must be one of 'push', 'pub', got string "pull"`);
    bad({ uri: 5555, pattern: 'push' }, `toZmq(): uri must be a ZeroMQ endpoint such as 'tcp://127.0.0.1:5555', got number 5555`);
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'push', topic: 7 }, 'toZmq(): topic must be a string or a function of the value, got number 7');
    bad({ uri: 'tcp://127.0.0.1:5555', pattern: 'push', lingerMs: -1 }, 'toZmq(): lingerMs must be an integer >= 0, got number -1');
  });
});
