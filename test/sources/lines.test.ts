import { describe, expect, it } from 'vitest';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Consecutor, ConsecutionError, fromFile, fromStdin, map, type SourceReader } from 'consecution';
import { parseLine } from '../../src/sources/line-format.js';

const MiB = 1024 * 1024;

/** Everything a reader gives: each item with its position and error code. */
async function readAll(reader: SourceReader<unknown>): Promise<{ value: unknown; position: unknown; error?: string }[]> {
  const out: { value: unknown; position: unknown; error?: string }[] = [];
  for (;;) {
    const r = await reader.read();
    if (r.done === true) break;
    const error = reader.error === undefined ? {} : { error: (reader.error as ConsecutionError).message };
    out.push({ value: r.value, position: reader.position, ...error });
  }
  await reader.close();
  return out;
}

/** The bytes of `text` in chunks cut at `cuts` (byte indexes). */
function chunked(bytes: Buffer, cuts: readonly number[]): Readable {
  const edges = [0, ...cuts, bytes.length];
  return Readable.from(edges.slice(1).map((end, i) => bytes.subarray(edges[i], end)));
}

describe('line splitting', () => {
  // '\n' and '\r\n' breaks, an empty line, 2-, 3- and 4-byte characters, a last line ending in '\r'.
  const bytes = Buffer.from('a\r\nbé\n\n€😀\r\nlast\r', 'utf8');
  const expected = [
    { value: 'a', position: { offset: 3, line: 1 } },
    { value: 'bé', position: { offset: 7, line: 2 } },
    { value: '', position: { offset: 8, line: 3 } },
    { value: '€😀', position: { offset: 17, line: 4 } },
    { value: 'last', position: { offset: 22, line: 5 } },
  ];

  it('gives the same lines and exact positions however the bytes are cut into chunks', async () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await readAll(fromStdin({ input: chunked(bytes, [cut]) }).open())).toEqual(expected);
    }
    const everyByte = Array.from({ length: bytes.length - 1 }, (_, i) => i + 1);
    expect(await readAll(fromStdin({ input: chunked(bytes, everyByte) }).open())).toEqual(expected);
  });

  it('reads the last line of a file without a trailing newline, to the file\'s last byte', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'consecution-lines-')), 'in.txt');
    writeFileSync(file, 'one\ntwo');
    expect(await readAll(fromFile(file).open())).toEqual([
      { value: 'one', position: { offset: 4, line: 1 } },
      { value: 'two', position: { offset: 7, line: 2 } },
    ]);
  });

  it('reads a 50 MB line through 4 KiB chunks: joined once, not once per chunk', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-lines-'));
    try {
      const file = join(dir, 'big.ndjson');
      writeFileSync(file, `{"n":1}\n${JSON.stringify({ big: 'x'.repeat(50 * MiB) })}\n{"n":3}`);
      // 12,800 chunks: a reader that joined the growing line to each one would copy ~320 GB.
      const input = createReadStream(file, { highWaterMark: 4096 });
      const out: number[] = [];
      const c = new Consecutor(map((r: { n?: number; big?: string }) => r.n ?? r.big!.length), { outputs: { default: out } });
      const report = await c.run(fromStdin({ format: 'ndjson', input, maxLineBytes: 64 * MiB }));
      expect(out).toEqual([1, 50 * MiB, 3]);
      expect(report.ok).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('maxLineBytes', () => {
  it('fails a longer line as BAD_INPUT holding its first bytes, and reads on from exactly after it', async () => {
    // 10 bytes pass, with '\r\n' too; 11 fail, in one chunk or across many (3-byte chunks here).
    const text = '0123456789\r\n0123456789a\n€€€€€€€€€€€€€€\nok';
    const bytes = Buffer.from(text, 'utf8');
    const cuts = Array.from({ length: Math.floor(bytes.length / 3) }, (_, i) => (i + 1) * 3);
    for (const input of [chunked(bytes, []), chunked(bytes, cuts)]) {
      const items = await readAll(fromStdin({ input, maxLineBytes: 10, name: 'in' }).open());
      expect(items.map((i) => i.position)).toEqual([
        { offset: 12, line: 1 },
        { offset: 24, line: 2 },
        { offset: 67, line: 3 },
        { offset: 69, line: 4 },
      ]);
      expect(items[0]).toEqual({ value: '0123456789', position: { offset: 12, line: 1 } });
      expect(items[1]!.error).toBe('in line 2: 11 bytes exceeds maxLineBytes=10 (the item holds its first 256 bytes)');
      expect(items[2]!.error).toMatch(/^in line 3: 42 bytes exceeds maxLineBytes=10/);
      expect(items[3]).toEqual({ value: 'ok', position: { offset: 69, line: 4 } });
    }
  });

  it('skips a 1 GiB line without keeping it: a BAD_INPUT item, and the run goes on', { timeout: 120_000 }, async () => {
    let held = 0;
    async function* input() {
      yield Buffer.from('{"n":1}\n');
      for (let i = 0; i < 1024; i++) yield Buffer.alloc(MiB, 'x');
      // The line has been read to its end (but for the stream's own buffer): a reader that kept it holds 1 GiB.
      held = process.memoryUsage().arrayBuffers;
      yield Buffer.from('\n{"n":3}\n');
    }
    const out: number[] = [];
    const deadLetter: { item: string; error: { code: string; message: string } }[] = [];
    const c = new Consecutor(map((r: { n: number }) => r.n), { guarantee: 'replay', outputs: { default: out, deadLetter } });
    const report = await c.run(fromStdin({ format: 'ndjson', input: Readable.from(input()) }));
    expect(out).toEqual([1, 3]);
    expect(report).toMatchObject({ ingested: 3, completed: 2, deadLettered: 1 });
    expect(deadLetter[0]!.error.code).toBe('BAD_INPUT');
    expect(deadLetter[0]!.error.message).toBe(
      `stdin line 2: ${1024 * MiB} bytes exceeds maxLineBytes=${16 * MiB} (the item holds its first 256 bytes)`,
    );
    expect(deadLetter[0]!.item).toBe(`${'x'.repeat(256)}…`);
    expect(held).toBeLessThan(512 * MiB);
  });

  it('cuts the kept head before a character split in two', async () => {
    const line = `${'a'.repeat(255)}€€`;
    const [item] = await readAll(fromStdin({ input: Readable.from([line]), maxLineBytes: 100 }).open());
    expect(item!.value).toBe(`${'a'.repeat(255)}…`);
  });

  it('is checked at once: a bad value throws OPTIONS_INVALID showing it', () => {
    for (const bad of [0, -1, 1.5, '16MB', Infinity, 2 ** 40]) {
      expect(() => fromStdin({ maxLineBytes: bad as number })).toThrow(expect.objectContaining({ code: 'OPTIONS_INVALID' }));
      expect(() => fromFile('x.ndjson', { maxLineBytes: bad as number })).toThrow(/^fromFile\(\): maxLineBytes must be .*integer/);
    }
    expect(() => fromStdin({ maxLineBytes: '16MB' as unknown as number })).toThrow(/fromStdin\(\): maxLineBytes must be .*, got string "16MB"/);
    expect(() => fromFile('x', { format: 'json' as 'ndjson' })).toThrow(/fromFile\(\): format must be one of 'lines', 'ndjson', got string "json"/);
  });
});

describe('parseLine', () => {
  it('parses one line as its format: text, a JSON value, nothing for a blank NDJSON line, or a BAD_INPUT error', () => {
    expect(parseLine(' x ', 'lines', 'in', 1)).toBe(' x ');
    expect(parseLine('{"n":1}', 'ndjson', 'in', 1)).toEqual({ n: 1 });
    expect(parseLine('', 'ndjson', 'in', 1)).toBeUndefined();
    expect(parseLine(' \t', 'ndjson', 'in', 1)).toBeUndefined();
    const e = parseLine('{"n":', 'ndjson', 'events.ndjson', 4);
    expect(e).toBeInstanceOf(ConsecutionError);
    expect(e).toMatchObject({ code: 'BAD_INPUT', retryable: false, node: 'events.ndjson' });
    expect((e as Error).message).toMatch(/^events\.ndjson line 4: not valid JSON \(/);
  });
});
