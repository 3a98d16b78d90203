import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Consecutor, ConsecutionError, output, toHttp, type FailureRecord, type HttpRetry, type HttpTargetOptions } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { serve, type Answer, type TestServer } from './http-server.js';

// toHttp (DESIGN §8) against a real node:http server on 127.0.0.1, with the global fetch.
// Retries wait on a VirtualClock: each test asserts the delay chosen, never the wall time.

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(answer: (body: string, n: number) => Answer, now?: () => number, port?: number): Promise<TestServer> {
  const s = await serve((req, n) => answer(req.body, n), now, port);
  servers.push(s);
  return s;
}

const ok: Answer = { status: 200, body: '{"ok":true}' };
const busy: Answer = { status: 503, body: 'busy' };
const meta = (key: string) => ({ key, root: 1, attempt: 0 });

/**
 * A target on a VirtualClock whose retries are let through at once: each wait the target chooses
 * is recorded, then the clock is moved on by exactly that much.
 */
function virtualTarget(url: string, options: HttpTargetOptions = {}, clock = new VirtualClock()) {
  const retries: HttpRetry[] = [];
  const target = toHttp(url, {
    clock,
    random: () => 0.5,
    backoffMs: 100,
    onRetry(r) {
      retries.push(r);
      // A timer of 0 ms waits 1 ms, as Node.js's does.
      setImmediate(() => clock.advance(Math.max(1, r.delayMs)));
    },
    ...options,
  });
  return { clock, retries, target };
}

describe('toHttp: confirmed on 2xx', () => {
  it('sends each value as JSON with its Idempotency-Key, and confirms on the 2xx', async () => {
    const statuses = [200, 201, 204];
    const s = await server((_, n) => ({ status: statuses[n]! }));
    const c = new Consecutor(output('events'), {
      outputs: { events: toHttp<{ n: number }>(s.url, { method: 'put', headers: { authorization: 'Bearer s3cret' } }) },
    });
    const report = await c.run([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(report).toMatchObject({ ok: true, completed: 3 });
    expect(s.seen.map((r) => [r.method, r.path, r.body, r.headers['content-type'], r.headers.authorization])).toEqual(
      [1, 2, 3].map((n) => ['PUT', '/events', `{"n":${n}}`, 'application/json', 'Bearer s3cret']),
    );
    const keys = s.seen.map((r) => r.headers['idempotency-key']);
    expect(new Set(keys).size).toBe(3);
    for (const k of keys) expect(k).toMatch(/^[\w-]{8}\.\d+:[0-9a-f]{16}$/);
  });

  it('sends what encode makes, with the content type the headers say', async () => {
    const s = await server(() => ok);
    const target = toHttp<string[]>(s.url, { encode: (lines) => lines.join('\n'), headers: { 'content-type': 'application/x-ndjson' } });
    await target.append(['{"a":1}', '{"a":2}'], meta('k'));
    expect(s.seen.map((r) => [r.body, r.headers['content-type']])).toEqual([['{"a":1}\n{"a":2}', 'application/x-ndjson']]);
  });
});

describe('toHttp: retries', () => {
  it('retries a 503 after a backoff with full jitter, then confirms', async () => {
    const clock = new VirtualClock();
    const s = await server((_, n) => (n < 3 ? busy : ok), () => clock.now());
    const v = virtualTarget(s.url, {}, clock);
    const t0 = clock.now();
    await v.target.append({ n: 1 }, meta('k1'));
    // random() = 0.5 of the caps 100, 200, 400.
    expect(v.retries.map((r) => [r.retry, r.delayMs, r.status, r.reason])).toEqual([
      [1, 50, 503, '503 Service Unavailable: busy'],
      [2, 100, 503, '503 Service Unavailable: busy'],
      [3, 200, 503, '503 Service Unavailable: busy'],
    ]);
    expect(s.seen.map((r) => r.at - t0)).toEqual([0, 50, 150, 350]);
    expect(new Set(s.seen.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['k1']));
  });

  it('keeps the backoff below maxBackoffMs, and draws the jitter from random()', async () => {
    const s = await server((_, n) => (n < 4 ? busy : ok));
    const draws = [0.9, 0.1, 0.999, 0];
    const v = virtualTarget(s.url, { random: () => draws.shift()!, backoffMs: 1000, maxBackoffMs: 3000 });
    await v.target.append('x', meta('k'));
    // caps 1000, 2000, 3000 (not 4000), 3000
    expect(v.retries.map((r) => r.delayMs)).toEqual([900, 200, 2997, 0]);
  });

  it('waits as long as Retry-After says, in seconds or as an HTTP date, at most maxBackoffMs', async () => {
    const clock = new VirtualClock(); // starts at 2000-01-01T00:00:00Z
    const answers: Answer[] = [
      { status: 503, headers: { 'retry-after': '7' } },
      { status: 429, headers: { 'retry-after': new Date(Date.UTC(2000, 0, 1, 0, 0, 19)).toUTCString() } },
      { status: 503, headers: { 'retry-after': '3600' } },
      { status: 503, headers: { 'retry-after': 'whenever' } },
      ok,
    ];
    const s = await server((_, n) => answers[n]!, () => clock.now());
    const v = virtualTarget(s.url, { maxBackoffMs: 60_000 }, clock);
    await v.target.append('x', meta('k'));
    expect(v.retries.map((r) => [r.status, r.delayMs])).toEqual([
      [503, 7_000], // 7 s
      [429, 12_000], // until 00:00:19, asked at 00:00:07
      [503, 60_000], // an hour asked, maxBackoffMs given
      [503, 400], // not a delay: the backoff's 0.5 of 800
    ]);
    expect(s.seen.map((r) => r.at - s.seen[0]!.at)).toEqual([0, 7_000, 19_000, 79_000, 79_400]);
  });

  it('retries a network error: the server is down, then up again on the same port', async () => {
    const down = await serve(() => ok);
    const port = down.port;
    await down.close();
    const clock = new VirtualClock();
    const retries: HttpRetry[] = [];
    const target = toHttp(down.url, {
      clock,
      onRetry(r) {
        retries.push(r);
        void server(() => ok, undefined, port).then(() => clock.advance(r.delayMs));
      },
    });
    await target.append('x', meta('k'));
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ retry: 1, status: undefined });
    expect(retries[0]!.reason).toContain('ECONNREFUSED');
    expect(servers[0]!.seen.map((r) => r.headers['idempotency-key'])).toEqual(['k']);
  });

  it('retries a connection the server closed without an answer', async () => {
    const s = await server((_, n) => (n === 0 ? 'destroy' : ok));
    const v = virtualTarget(s.url);
    await v.target.append('x', meta('k'));
    expect(v.retries).toHaveLength(1);
    expect(v.retries[0]!.reason).toMatch(/^fetch failed: /);
    expect(s.seen).toHaveLength(2);
  });

  it('retries a request with no answer within timeoutMs, on its clock', async () => {
    const s = await server((_, n) => (n === 0 ? 'hang' : ok));
    const v = virtualTarget(s.url, { timeoutMs: 5_000 });
    const done = v.target.append('x', meta('k'));
    await s.arrived(1);
    v.clock.advance(4_999);
    expect(v.retries).toEqual([]);
    v.clock.advance(1);
    await done;
    expect(v.retries.map((r) => r.reason)).toEqual(['no answer within timeoutMs=5000']);
    expect(s.seen).toHaveLength(2);
  });

  it('gives up after `retries` more tries: a retryable OUTPUT_FAILED with the last answer', async () => {
    const s = await server(() => busy);
    const v = virtualTarget(s.url, { retries: 2 });
    const error = await v.target.append('x', meta('k')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsecutionError);
    expect(error).toMatchObject({
      code: 'OUTPUT_FAILED',
      retryable: true,
      message: `POST ${s.url}: gave up after 3 tries (retries=2), the last: 503 Service Unavailable: busy`,
    });
    expect(s.seen).toHaveLength(3);
  });

  it('close() ends the retries waiting: their appends reject', async () => {
    const s = await server(() => busy);
    const clock = new VirtualClock();
    const target = toHttp(s.url, { clock, onRetry: () => setImmediate(() => target.close()) });
    await expect(target.append('x', meta('k'))).rejects.toThrow(`toHttp ${s.url} was closed before the server confirmed`);
    expect(clock.pending).toBe(0);
  });
});

describe('toHttp: requests in flight', () => {
  it('sends at most maxInFlight requests at once', async () => {
    let open = 0;
    let most = 0;
    const s: TestServer = await server((_, n) => {
      most = Math.max(most, ++open);
      // Answered a little later, so that requests would pile up if nothing held them back.
      setTimeout(() => {
        open--;
        s.held[n]!.writeHead(200).end();
      }, 5);
      return 'hang';
    });
    const target = toHttp<number>(s.url, { maxInFlight: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => target.append(i, meta(`k${i}`))));
    expect(s.seen).toHaveLength(12);
    expect(most).toBeLessThanOrEqual(3);
  });
});

describe('toHttp: in a run', () => {
  it('a 400 fails the item at once, not retried nor replayed: dead-lettered with the status and the body, and the run goes on', async () => {
    const s = await server((body) => (body.includes('name') ? ok : { status: 400, body: '{"error":"name is missing"}' }));
    const dead: FailureRecord[] = [];
    const c = new Consecutor(output('events'), {
      guarantee: 'replay',
      retries: 3,
      outputs: { events: toHttp(s.url, { backoffMs: 1 }), deadLetter: dead },
    });
    const report = await c.run([{ name: 'a' }, { id: 2 }, { name: 'c' }]);
    expect(report).toMatchObject({ ok: false, completed: 2, deadLettered: 1, retried: 0 });
    expect(dead.map((d) => [d.item, d.node, d.error.code, d.attempts])).toEqual([[{ id: 2 }, 'events', 'OUTPUT_FAILED', 1]]);
    expect(dead[0]!.error.message).toBe(`output "events" failed to write item {"id":2}: POST ${s.url} answered 400 Bad Request: {"error":"name is missing"}`);
    expect(s.seen.filter((r) => r.body === '{"id":2}')).toHaveLength(1);
  });

  it('shows at most 200 characters of the body of an error answer', async () => {
    const s = await server(() => ({ status: 422, body: `${'x'.repeat(300)}\n` }));
    const error = await toHttp(s.url).append('x', meta('k')).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false, message: `POST ${s.url} answered 422 Unprocessable Entity: ${'x'.repeat(200)}…` });
  });

  it("waits for its retries on the run's clock, given to open()", async () => {
    const s = await server((_, n) => (n === 0 ? busy : ok));
    const clock = new VirtualClock();
    const delays: number[] = [];
    // Five minutes of backoff, on the system clock the test would time out.
    const events = toHttp(s.url, {
      backoffMs: 600_000,
      maxBackoffMs: 600_000,
      random: () => 0.5,
      onRetry(r) {
        delays.push(r.delayMs);
        setImmediate(() => clock.advance(r.delayMs));
      },
    });
    const report = await new Consecutor(output('events'), { clock, timeoutMs: 3_600_000, outputs: { events } }).run(['x']);
    expect(report).toMatchObject({ ok: true, completed: 1 });
    expect(delays).toEqual([300_000]);
  });

  it('sends a replayed item with the same Idempotency-Key', async () => {
    // The first try of item "b" gets a 500 and no retry: the item fails, and is replayed.
    let failedOnce = false;
    const s = await server((body) => {
      if (body === '"b"' && !failedOnce) {
        failedOnce = true;
        return { status: 500, body: 'oops' };
      }
      return ok;
    });
    const c = new Consecutor(output('events'), { guarantee: 'replay', retries: 2, outputs: { events: toHttp<string>(s.url, { retries: 0 }) } });
    const report = await c.run(['a', 'b', 'c']);
    expect(report).toMatchObject({ ok: true, completed: 3, retried: 1 });
    const keysOf = (body: string) => s.seen.filter((r) => r.body === body).map((r) => r.headers['idempotency-key']);
    const [first, replayed] = keysOf('"b"');
    expect(replayed).toBeDefined();
    expect(replayed).toBe(first);
    expect(new Set([first, ...keysOf('"a"'), ...keysOf('"c"')]).size).toBe(3);
  });
});

describe('toHttp: across a restart', () => {
  it('sends an item a stopped run left in the journal again after the restart, with the same key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'http-out-'));
    try {
      const s = await server((_, n) => (n === 0 ? 'hang' : ok));
      const run = (options: { drainMs?: number } = {}) =>
        new Consecutor(output('events'), { guarantee: 'replay', store: { path: dir }, ...options, outputs: { events: toHttp(s.url) } });
      const first = run({ drainMs: 100 });
      const done = first.run(['a']);
      await s.arrived(1);
      const stopped = await first.stop();
      expect(await done).toBe(stopped);
      // Not confirmed: left in the journal, and its request aborted by close().
      expect(stopped).toMatchObject({ stopped: true, completed: 0, pending: 1 });
      const report = await run().run(['a']);
      expect(report).toMatchObject({ ok: true, completed: 1 });
      expect(s.seen.map((r) => r.body)).toEqual(['"a"', '"a"']);
      expect(s.seen[1]!.headers['idempotency-key']).toBe(s.seen[0]!.headers['idempotency-key']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('toHttp: bad input and options', () => {
  it('a value that cannot be encoded fails with BAD_INPUT, not retryable, and sends nothing', async () => {
    const s = await server(() => ok);
    const error = await toHttp(s.url).append({ n: 1n }, meta('k')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_INPUT', retryable: false });
    expect((error as Error).message).toMatch(/^toHttp could not encode \{"n":"1n"\}: .*BigInt/);
    expect(s.seen).toEqual([]);
  });

  it('checks its options at once, showing the bad value', () => {
    const bad = (url: unknown, options?: unknown) => () => toHttp(url as string, options as HttpTargetOptions);
    expect(bad('ftp://example.com/')).toThrow('toHttp(): url must be an http:// or https:// URL, got "ftp://example.com/"');
    expect(bad('not a url')).toThrow('toHttp(): url must be an http:// or https:// URL, got "not a url"');
    expect(bad('http://127.0.0.1/', { retries: -1 })).toThrow('toHttp() option retries must be an integer >= 0, got number -1');
    expect(bad('http://127.0.0.1/', { timeoutMs: Infinity })).toThrow('toHttp() option timeoutMs must be a finite integer');
    expect(bad('http://127.0.0.1/', { method: 'PO ST' })).toThrow('toHttp() option method must be a method that sends a body, such as POST or PUT, got string "PO ST"');
    expect(bad('http://127.0.0.1/', { method: 'get' })).toThrow('toHttp() option method must be a method that sends a body, such as POST or PUT, got string "get"');
    expect(bad('http://127.0.0.1/', { headers: { 'bad name': 'x' } })).toThrow(/^toHttp\(\) option headers must be an object of header names to strings/);
    expect(bad('http://127.0.0.1/', { encode: 'json' })).toThrow('toHttp() option encode must be a function, got string "json"');
    expect(bad('http://127.0.0.1/', { retry: 3 })).toThrow('unknown toHttp() option retry (3); known options: method, headers, retries');
    expect(bad('http://127.0.0.1/', { retris: 3 })).toThrow('did you mean retries?');
    expect(bad('http://127.0.0.1/', { clock: {} })).toThrow('toHttp() option clock must be a Clock');
  });
});
