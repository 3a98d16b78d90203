// fromHttp against real requests (fetch to 127.0.0.1): every answer of DESIGN.md §8.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { ConsecutionError, Consecutor, fromHttp, map } from 'consecution';
import { VirtualClock } from 'consecution/testing';
import { gate, lines, serve, until } from './http-harness.js';

describe('fromHttp: 202 on admission', () => {
  it('admits one JSON item, an NDJSON body line by line, a text body whole; ids are the lineage ids sinks see', async () => {
    const json = await serve({ format: 'json' });
    const a = await json.send(JSON.stringify({ n: 1 }));
    const b = await json.send(JSON.stringify([1, 2]));
    expect(a).toMatchObject({ status: 202, body: { ids: [0] } });
    expect(b).toMatchObject({ status: 202, body: { ids: [1] } });
    await json.c.stop();
    expect(json.seen).toEqual([
      { value: { n: 1 }, root: 0 },
      { value: [1, 2], root: 1 },
    ]);

    const ndjson = await serve({ format: 'ndjson', path: '/ingest' });
    const r = await ndjson.send('{"n":0}\r\n\n{"n":1}\n   \n{"n":2}');
    expect(r.status).toBe(202);
    expect(r.body.ids).toEqual([0, 1, 2]);
    await ndjson.c.stop();
    expect(ndjson.seen.map((s) => s.value)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(ndjson.seen.map((s) => s.root)).toEqual(r.body.ids);

    const text = await serve({ format: 'text' });
    expect((await text.send('hello\nworld')).status).toBe(202);
    await text.c.stop();
    expect(text.seen.map((s) => s.value)).toEqual(['hello\nworld']);
  });

  it('an empty NDJSON body admits nothing and says so', async () => {
    const s = await serve({ format: 'ndjson' });
    expect(await s.send('\n\n')).toMatchObject({ status: 202, body: { ids: [] } });
    expect((await s.c.stop()).ingested).toBe(0);
  });

  it('many concurrent requests: each is answered with its own ids, and every item is processed once', async () => {
    const s = await serve({ format: 'ndjson' }, map((x: unknown) => x), { maxPending: 50 });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => s.send(lines(25, i * 25))));
    const report = await s.c.stop();
    expect(answers.every((a) => a.status === 202)).toBe(true);
    const ids = answers.flatMap((a) => a.body.ids as number[]);
    expect(new Set(ids).size).toBe(1000);
    expect(report).toMatchObject({ ingested: 1000, completed: 1000 });
    const byRoot = new Map(s.seen.map((x) => [x.root, (x.value as { n: number }).n]));
    // A request's ids name its own items, in order.
    answers.forEach((a, i) => expect((a.body.ids as number[]).map((id) => byRoot.get(id))).toEqual(Array.from({ length: 25 }, (_, k) => i * 25 + k)));
  });
});

describe('fromHttp: refusals admit nothing, and the good requests around them are all processed', () => {
  it('400 for a malformed body, with the NDJSON line number', async () => {
    const s = await serve({ format: 'ndjson' });
    expect((await s.send(lines(3, 0))).status).toBe(202);
    const bad = await s.send('{"n":3}\n{"n":4}\n{"n":\n{"n":6}\n');
    expect(bad.status).toBe(400);
    expect(bad.body.line).toBe(3);
    expect(bad.body.error).toMatch(/line 3: not valid JSON/);
    expect((await s.send(lines(3, 7))).status).toBe(202);
    const report = await s.c.stop();
    expect(s.seen.map((x) => (x.value as { n: number }).n)).toEqual([0, 1, 2, 7, 8, 9]);
    expect(report).toMatchObject({ ingested: 6, completed: 6, deadLettered: 0 });

    const json = await serve({ format: 'json' });
    const r = await json.send('{"n":');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/not valid JSON/);
    expect((await json.send('')).body.error).toMatch(/empty/);
    expect((await json.c.stop()).ingested).toBe(0);
  });

  it('413 over maxBodyBytes, told by Content-Length or counted as a chunked body arrives', async () => {
    const s = await serve({ format: 'ndjson', maxBodyBytes: 1000 });
    expect((await s.send(lines(2, 0))).status).toBe(202);
    const big = await s.send(lines(200, 100));
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/maxBodyBytes=1000/);
    // A chunked body has no Content-Length: it is cut off once 1000 bytes have arrived.
    const chunked = await fetch(s.url, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 100; i++) c.enqueue(new TextEncoder().encode(lines(5, i * 5)));
          c.close();
        },
      }),
      duplex: 'half',
    });
    expect(chunked.status).toBe(413);
    expect((await s.send(lines(2, 2))).status).toBe(202);
    await s.c.stop();
    expect(s.seen.map((x) => (x.value as { n: number }).n)).toEqual([0, 1, 2, 3]);
  });

  it('401 without the bearer token, or with a wrong one', async () => {
    const s = await serve({ token: 's3cret' });
    expect((await s.send('1')).status).toBe(401);
    const wrong = await s.send('2', { Authorization: 'Bearer s3cre' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    expect((await s.send('3', { Authorization: 'Basic s3cret' })).status).toBe(401);
    expect((await s.send('4', { Authorization: 'Bearer s3cret' })).status).toBe(202);
    await s.c.stop();
    expect(s.seen.map((x) => x.value)).toEqual([4]);
  });

  it('404 on another path, 405 for another method', async () => {
    const s = await serve({ path: '/in' });
    expect((await fetch(new URL('/other', s.url), { method: 'POST', body: '1' })).status).toBe(404);
    const get = await fetch(s.url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(new URL('/in?x=1', s.url), { method: 'POST', body: '1' })).status).toBe(202);
    await s.c.stop();
    expect(s.seen.map((x) => x.value)).toEqual([1]);
  });

  it('429 with Retry-After when maxPending stays full for waitMs; the request waiting behind a busy run is admitted later', async () => {
    const g = gate();
    const s = await serve({ waitMs: 50 }, g.node, { maxPending: 1 });
    expect((await s.send('1')).status).toBe(202);
    await until(() => g.held() === 1, 'the first item to be held');
    const refused = await s.send('2');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.error).toMatch(/maxPending/);
    // One that finds room before its waitMs is admitted as usual.
    const later = s.send('3');
    await new Promise((r) => setTimeout(r, 10));
    g.release();
    expect((await later).status).toBe(202);
    const report = await s.c.stop();
    expect(s.seen.map((x) => x.value)).toEqual([1, 3]);
    expect(report.ingested).toBe(2);
  });
});

describe("fromHttp: timers on the run's clock", () => {
  it('waitMs and timeoutMs are timers on the Consecutor clock (VirtualClock): 429 and 504 come at their virtual moment', async () => {
    const clock = new VirtualClock();
    const g = gate();
    const s = await serve({ waitMs: 5_000, respond: 'completed', timeoutMs: 60_000 }, g.node, { maxPending: 1, clock, timeoutMs: 600_000 });
    const first = s.send('1');
    await until(() => g.held() === 1, 'the first item to be held');
    const t0 = clock.now();
    const refused = await clock.runUntil(s.send('2'));
    expect(refused.status).toBe(429);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(5_000);
    expect(clock.now() - t0).toBeLessThan(60_000);
    expect(await clock.runUntil(first)).toMatchObject({ status: 504, body: { ids: [0] } });
    expect(clock.now() - t0).toBeGreaterThanOrEqual(60_000);
    g.release();
    expect((await clock.runUntil(s.c.stop())).completed).toBe(1);
  });
});

describe("fromHttp: respond 'completed'", () => {
  it('200 { ids } once every item completed', async () => {
    const g = gate();
    const s = await serve({ format: 'ndjson', respond: 'completed' }, g.node);
    let answered = false;
    const r = s.send(lines(3)).finally(() => (answered = true));
    await until(() => g.held() === 3, 'the items to be held');
    expect(answered).toBe(false);
    g.release();
    expect(await r).toMatchObject({ status: 200, body: { ids: [0, 1, 2] } });
    expect(s.seen).toHaveLength(3);
    await s.c.stop();
  });

  it('422 { failures } when an item was dead-lettered; the others completed', async () => {
    const fail = map('check', (x: { n: number }) => {
      if (x.n === 1) throw new Error('one is bad');
      return x;
    });
    const s = await serve({ format: 'ndjson', respond: 'completed' }, fail as never);
    const r = await s.send(lines(3));
    expect(r.status).toBe(422);
    expect(r.body.ids).toEqual([0, 1, 2]);
    expect(r.body.failures).toEqual([{ id: 1, index: 1, node: 'check', error: expect.objectContaining({ message: expect.stringContaining('one is bad') }), attempts: 1 }]);
    await s.c.stop();
    expect(s.seen.map((x) => (x.value as { n: number }).n)).toEqual([0, 2]);
  });

  it('504 past timeoutMs with the ids admitted; the items are still processed, and a repeat with the key hears the outcome', async () => {
    const g = gate();
    const s = await serve({ respond: 'completed', timeoutMs: 50 }, g.node);
    const r = await s.send('7', { 'Idempotency-Key': 'k7' });
    expect(r).toMatchObject({ status: 504, body: { ids: [0] } });
    g.release();
    await until(() => s.seen.length === 1, 'the item to complete');
    expect(await s.send('7', { 'Idempotency-Key': 'k7' })).toMatchObject({ status: 200, body: { ids: [0] } });
    expect((await s.c.stop()).ingested).toBe(1);
  });

  it("needs a tracked guarantee: under 'none' the run fails naming it", async () => {
    const s = await serve({ respond: 'completed' }, map((x: unknown) => x), { guarantee: 'none' });
    void s.post('1').catch(() => {});
    await expect(s.done).rejects.toThrow(/respond: 'completed' needs a tracked guarantee/);
  });
});

describe('fromHttp: Idempotency-Key', () => {
  it('a repeated request gets the first answer and admits nothing again, also while the first is in flight', async () => {
    const g = gate();
    const s = await serve({ format: 'ndjson' }, g.node);
    const first = await s.send(lines(2), { 'Idempotency-Key': 'a' });
    const again = await s.send(lines(2), { 'Idempotency-Key': 'a' });
    expect(first).toMatchObject({ status: 202, body: { ids: [0, 1] } });
    expect(again).toMatchObject({ status: 202, body: { ids: [0, 1] } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // Sent together: the second waits for the first's answer.
    const [x, y] = await Promise.all([s.send(lines(1, 5), { 'Idempotency-Key': 'b' }), s.send(lines(1, 5), { 'Idempotency-Key': 'b' })]);
    expect(x.body).toEqual(y.body);
    g.release();
    const report = await s.c.stop();
    expect(report.ingested).toBe(3);
    expect(s.seen).toHaveLength(3);
  });

  it("respond 'completed' on a store: a key whose items were admitted but not completed by the stop answers 202 { ids } after the restart, and admits nothing again", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-http-keys-'));
    const g = gate();
    const run = { guarantee: 'replay', store: { path: dir }, drainMs: 50 } as const;
    const first = await serve({ respond: 'completed', name: 'in' }, g.node, run);
    const r = first.send('1', { 'Idempotency-Key': 'k' });
    await until(() => g.held() === 1, 'the item to be held');
    await first.c.stop();
    expect(await r).toMatchObject({ status: 503, body: { ids: [0] } });
    g.release();
    const second = await serve({ respond: 'completed', name: 'in' }, map((x: unknown) => x), run);
    await until(() => second.seen.length === 1, 'the journaled item to be replayed');
    const again = await second.send('1', { 'Idempotency-Key': 'k' });
    expect(again).toMatchObject({ status: 202, body: { ids: [0] } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await second.c.stop()).completed).toBe(1);
    expect(second.seen).toEqual([{ value: 1, root: 0 }]);
  });

  it('a refusal that admitted nothing is not remembered: the retry with the same key is a new try', async () => {
    const s = await serve({ format: 'ndjson' });
    expect((await s.send('{"n":', { 'Idempotency-Key': 'c' })).status).toBe(400);
    expect(await s.send(lines(1), { 'Idempotency-Key': 'c' })).toMatchObject({ status: 202, body: { ids: [0] } });
    await s.c.stop();
    expect(s.seen).toHaveLength(1);
  });

  it('keys expire after idempotencyTtlMs, and only the newest idempotencyKeys are kept', async () => {
    const s = await serve({ idempotencyKeys: 2, idempotencyTtlMs: 60_000 });
    for (const k of ['k1', 'k2', 'k3']) expect((await s.send('1', { 'Idempotency-Key': k })).status).toBe(202);
    expect((await s.send('1', { 'Idempotency-Key': 'k3' })).headers.get('idempotent-replayed')).toBe('true');
    expect((await s.send('1', { 'Idempotency-Key': 'k1' })).headers.get('idempotent-replayed')).toBeNull();
    expect((await s.c.stop()).ingested).toBe(4);
  });
});

describe('fromHttp: stop()', () => {
  it('answers 503 while stopping, still answers the requests in flight, then closes its server', async () => {
    const g = gate();
    const s = await serve({ respond: 'completed' }, g.node, { maxPending: 1, drainMs: 20_000 });
    const inFlight = s.send('1');
    await until(() => g.held() === 1, 'the item to be held');
    const waiting = s.send('2'); // no room: it waits in the queue
    await new Promise((r) => setTimeout(r, 20));
    const stopped = s.c.stop();
    const w = await waiting;
    expect(w.status).toBe(503);
    expect(w.body.error).toMatch(/nothing of this request was admitted/);
    const during = await s.send('3');
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('1');
    g.release();
    expect(await inFlight).toMatchObject({ status: 200, body: { ids: [0] } });
    const report = await stopped;
    expect(report).toMatchObject({ ingested: 1, completed: 1 });
    expect(await s.done).toBe(report);
    await expect(fetch(s.url, { method: 'POST', body: '4' })).rejects.toThrow();
  });

  it('goes on answering 503 until the run has ended, while what it admitted drains', async () => {
    const g = gate();
    const s = await serve({}, g.node);
    expect((await s.send('1')).status).toBe(202);
    await until(() => g.held() === 1, 'the item to be held');
    const stopped = s.c.stop();
    for (let i = 0; i < 3; i++) expect((await s.send('2')).status).toBe(503);
    g.release();
    expect((await stopped).completed).toBe(1);
    expect(s.seen.map((x) => x.value)).toEqual([1]);
    await expect(fetch(s.url, { method: 'POST', body: '3' })).rejects.toThrow();
  });

  it('a request cut by the stop hears which of its items were admitted', async () => {
    const g = gate();
    const s = await serve({ format: 'ndjson' }, g.node, { maxPending: 3 });
    const r = s.send(lines(10));
    await until(() => g.held() === 3, 'three items to be held');
    const stopped = s.c.stop();
    const answer = await r;
    expect(answer.status).toBe(503);
    expect(answer.body.ids).toEqual([0, 1, 2]);
    expect(answer.body.error).toMatch(/only the first 3 item\(s\)/);
    g.release();
    expect((await stopped).completed).toBe(3);
  });

  it('a run stopped with items unsettled at drainMs answers their requests 503 and ends', async () => {
    const g = gate();
    const s = await serve({ respond: 'completed' }, g.node, { drainMs: 50 });
    const r = s.send('1');
    await until(() => g.held() === 1, 'the item to be held');
    const report = await s.c.stop();
    expect(report.ingested).toBe(1);
    expect(await r).toMatchObject({ status: 503, body: { ids: [0] } });
    g.release();
  });
});

describe('fromHttp: options and failures', () => {
  it('validates its options at once, showing the bad value', () => {
    const bad = (o: unknown) => () => fromHttp(o as never);
    expect(bad({})).toThrow(/port must be an integer from 0 to 65535.*undefined/);
    expect(bad({ port: 70_000 })).toThrow(/port must be .*70000/);
    expect(bad({ port: 0, format: 'xml' })).toThrow(/format must be one of 'json', 'ndjson', 'text', got string "xml"/);
    expect(bad({ port: 0, path: 'in' })).toThrow(/path must be a path starting with '\/'/);
    expect(bad({ port: 0, maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(bad({ port: 0, token: '' })).toThrow(/token must be a non-empty string/);
    expect(bad({ port: 0, respond: 'done' })).toThrow(/respond/);
    expect(bad({ port: 0, prot: 1 })).toThrow(/unknown fromHttp\(\) option prot.*did you mean port/);
    expect(bad({ port: 0, format: 'xml' })).toThrow(ConsecutionError);
  });

  it('a port in use fails the run with SOURCE_FAILED naming host and port', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const http = fromHttp({ port });
      const run = new Consecutor(map((x: unknown) => x)).run(http);
      await expect(run).rejects.toMatchObject({ code: 'SOURCE_FAILED', message: expect.stringContaining(`127.0.0.1:${port}`) });
      await expect(http.address()).rejects.toThrow(/EADDRINUSE/);
    } finally {
      taken.close();
    }
  });

  it('a client that goes away mid-body admits nothing, and the run goes on', async () => {
    const s = await serve({ format: 'ndjson' }, pipe(map((x: unknown) => x)));
    await new Promise<void>((resolve) => {
      const req = request(s.url, { method: 'POST', headers: { 'Content-Length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"n":1}\n', () => setTimeout(() => req.destroy(), 20));
      req.on('close', () => resolve());
    });
    expect((await s.send(lines(1, 9))).status).toBe(202);
    await s.c.stop();
    expect(s.seen.map((x) => x.value)).toEqual([{ n: 9 }]);
  });
});
