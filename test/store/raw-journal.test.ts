// Items a source parsed from text (SourceReader.raw: an NDJSON line, a JSON body) are journaled
// on a durable store as that text, and a restart parses it again into an equal value.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { Consecutor, fromFile, fromHttp, fromIterable, map, openStoreReadOnly, type Source } from 'consecution';
import { decodeJson } from '../../src/sources/payload.js';
import { gate, serve, until } from '../connectors/http-harness.js';
import { expectStoreEmpty } from './empty.js';

const temp = () => mkdtempSync(join(tmpdir(), 'consecution-raw-'));

/** Values whose text is worth a round trip: nesting, escapes, non-ASCII, big and small numbers. */
const VALUES: unknown[] = [
  { n: 1, name: 'item' },
  { nested: { a: [1, 2, { b: null }], t: true, f: false }, s: 'tab\there "quoted" \\ é 😀' },
  [1.5e300, -2.5e-300, 0, -7, 9007199254740991],
  'just a string',
  null,
  { '': 'empty key', 'ключ': ['значение'] },
];

/** Runs `source` durably in `dir` through a node that holds every item, until `n` are held; then stops. */
async function leavePending(dir: string, source: Source<unknown>, n: number, send?: () => Promise<void>) {
  const g = gate();
  const c = new Consecutor(pipe(g.node, map((x: unknown) => x)), { guarantee: 'replay', store: { path: dir }, drainMs: 50 });
  const done = c.run(source);
  await send?.();
  await until(() => g.held() === n, `${n} held items`);
  const report = await c.stop();
  await done;
  expect(report).toMatchObject({ stopped: true, completed: 0, pending: n });
}

/** What the store in `dir` has pending: the value and rawOf of each entry. */
function pendingRaw(dir: string): { value: unknown; rawOf: string | undefined }[] {
  const view = openStoreReadOnly(dir);
  try {
    return view.pending().map((e) => ({ value: e.value, rawOf: e.rawOf }));
  } finally {
    void view.close();
  }
}

/** Runs `source` durably in `dir` to the end (or stops it once `n` items are out): what the pipeline got. */
async function restart(dir: string, source: Source<unknown>, n: number) {
  const out: unknown[] = [];
  const deadLetter: { item: unknown; error: { code?: string; message: string } }[] = [];
  const c = new Consecutor(map((x: unknown) => x), { guarantee: 'replay', store: { path: dir }, outputs: { default: out, deadLetter } });
  const done = c.run(source);
  await until(() => out.length + deadLetter.length >= n, `${n} items out`);
  void c.stop().catch(() => {});
  const report = await done;
  return { out, deadLetter, report };
}

describe('items journaled as the text they were parsed from', () => {
  it('fromFile ndjson: the journal holds each line; a restart parses it again into an equal value', async () => {
    const dir = temp();
    const file = join(dir, 'in.ndjson');
    const texts = VALUES.map((v) => JSON.stringify(v));
    // A CRLF line, a blank line and a padded line: the text journaled is what was parsed.
    writeFileSync(file, `${texts[0]}\r\n\n  ${texts[1]}  \n${texts.slice(2).join('\n')}\n`);
    const store = join(dir, 'state');
    await leavePending(store, fromFile(file, { format: 'ndjson' }), VALUES.length);
    const name = fromFile(file, { format: 'ndjson' }).name;
    expect(pendingRaw(store)).toEqual([texts[0], `  ${texts[1]}  `, ...texts.slice(2)].map((value) => ({ value, rawOf: name })));

    const { out, report } = await restart(store, fromFile(file, { format: 'ndjson' }), VALUES.length);
    expect(out).toEqual(VALUES);
    expect(report).toMatchObject({ ok: true, completed: VALUES.length, deadLettered: 0 });
    await expectStoreEmpty(store);
  });

  it('fromFile lines: a line is its own item, journaled as it is', async () => {
    const dir = temp();
    const file = join(dir, 'in.txt');
    writeFileSync(file, 'a\n{"n":1}\n');
    const store = join(dir, 'state');
    await leavePending(store, fromFile(file), 2);
    expect(pendingRaw(store)).toEqual([{ value: 'a', rawOf: undefined }, { value: '{"n":1}', rawOf: undefined }]);
  });

  it.each<['ndjson' | 'json', string[]]>([
    ['ndjson', VALUES.map((v) => JSON.stringify(v))],
    ['json', [JSON.stringify(VALUES[1], null, 2)]],
  ])('fromHttp %s: every item answered 202 is journaled as its text and comes back equal after a restart', async (format, texts) => {
    const store = temp();
    const options = { port: 0, format, name: 'ingest' } as const;
    const expected = texts.map((t) => JSON.parse(t) as unknown);
    const http = fromHttp(options);
    await leavePending(store, http, expected.length, async () => {
      const r = await fetch(await http.address(), { method: 'POST', body: format === 'json' ? texts[0]! : texts.join('\r\n') });
      expect(r.status).toBe(202);
    });
    expect(pendingRaw(store)).toEqual(texts.map((value) => ({ value, rawOf: 'ingest' })));

    const { out, report } = await restart(store, fromHttp(options), expected.length);
    expect(out).toEqual(expected);
    expect(report).toMatchObject({ ok: true, completed: expected.length, deadLettered: 0 });
    await expectStoreEmpty(store);
  });

  it('a text the restarted source cannot parse again fails its item with BAD_INPUT, naming the item and both sources', async () => {
    const store = temp();
    const g = gate();
    const first = await serve({ format: 'ndjson', name: 'ingest' }, g.node, { guarantee: 'replay', store: { path: store }, drainMs: 50 });
    expect((await first.send('{"n":1}\n')).status).toBe(202);
    await first.c.stop();
    await first.done;

    // Restarted on a source without parse(): its item is not replayed as text, it fails clearly.
    const { out, deadLetter, report } = await restart(store, fromIterable<unknown>([], { name: 'numbers' }), 1);
    expect(out).toEqual([]);
    expect(report).toMatchObject({ completed: 0, deadLettered: 1 });
    expect(deadLetter).toMatchObject([
      {
        item: '{"n":1}',
        error: {
          code: 'BAD_INPUT',
          message: 'item #0 is journaled as raw input of source "ingest" (the text it was parsed from, or redriven bad input), and source "numbers" cannot parse it again (it has no parse())',
        },
      },
    ]);
  });

  it("the brokers' JSON payloads carry their text (fromNats, fromRedisStream read them with decodeJson)", () => {
    expect(decodeJson('{"n":1}', 'queue', 'message 1')).toEqual({ value: { n: 1 }, error: undefined, raw: '{"n":1}' });
    // Bad input is failed, not journaled: no text to carry.
    expect(decodeJson('{"n":', 'queue', 'message 2')).toMatchObject({ value: '{"n":', error: { code: 'BAD_INPUT' }, raw: undefined });
  });

  it('a memory store journals nothing, and the pipeline gets the parsed values', async () => {
    const { c, done, send, seen } = await serve({ format: 'ndjson' });
    expect((await send('{"n":1}\n{"n":2}\n')).status).toBe(202);
    await until(() => seen.length === 2, '2 items');
    await c.stop();
    await done;
    expect(seen.map((s) => s.value)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
