import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipe } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consecutor, map, output, print, readFile, writeFile, type FailureRecord, type FileContent } from 'consecution';
import { countFsyncs, tempDir } from './files-helpers.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('consecution-file-nodes-');
});
afterEach(() => tmp.remove());

function collector(): { chunks: string[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { chunks, stream };
}

describe('readFile', () => {
  it('maps a path, or { path }, to { path, content }: text by default, bytes with as: buffer', async () => {
    const [a, b] = [join(tmp.dir, 'a.txt'), join(tmp.dir, 'b.bin')];
    writeFileSync(a, 'héllo');
    writeFileSync(b, Buffer.from([0, 1, 2]));
    const texts: FileContent<string>[] = [];
    await new Consecutor(pipe(readFile(), output('texts')), { outputs: { texts } }).run([a, { path: b }]);
    expect(texts.sort((x, y) => x.path.localeCompare(y.path))).toEqual([
      { path: a, content: 'héllo' },
      { path: b, content: '\u0000\u0001\u0002' },
    ]);
    const bytes: FileContent<Buffer>[] = [];
    await new Consecutor(pipe(readFile({ as: 'buffer' }), output('bytes')), { outputs: { bytes } }).run([b]);
    expect(bytes[0]!.content).toEqual(Buffer.from([0, 1, 2]));
  });

  it('a file that cannot be read fails that item with the path and the reason; the run goes on', async () => {
    const ok = join(tmp.dir, 'ok.txt');
    const missing = join(tmp.dir, 'missing.txt');
    writeFileSync(ok, 'fine');
    const dead: FailureRecord[] = [];
    const texts: FileContent<string>[] = [];
    const report = await new Consecutor(pipe(readFile(), output('texts')), { guarantee: 'replay', retries: 1, outputs: { texts, deadLetter: dead } }).run([
      missing,
      tmp.dir,
      ok,
    ]);
    expect(report).toMatchObject({ completed: 1, deadLettered: 2 });
    expect(texts).toEqual([{ path: ok, content: 'fine' }]);
    const messages = dead.map((d) => d.error.message).sort();
    expect(messages).toEqual([
      `node "readFile" failed on item ${JSON.stringify(missing)}: cannot read ${missing}: it does not exist`,
      `node "readFile" failed on item ${JSON.stringify(tmp.dir)}: cannot read ${tmp.dir}: it is a directory`,
    ].sort());
  });

  it('an item that is no path fails at once (BAD_INPUT, not retried)', async () => {
    const dead: FailureRecord[] = [];
    const report = await new Consecutor(readFile(), { guarantee: 'replay', retries: 3, outputs: { deadLetter: dead } }).run([42 as never]);
    expect(report).toMatchObject({ deadLettered: 1, retried: 0 });
    expect(dead[0]!.error).toMatchObject({ code: 'BAD_INPUT', message: 'node "readFile": expected a file path or an object with a path, got number 42' });
  });
});

describe('writeFile', () => {
  it('writes each { path, content } to dir/<basename> (fsync, rename, fsync of the directory) and passes the new path on', async () => {
    const out = join(tmp.dir, 'out');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(out);
    const fsyncs = await countFsyncs(tmp.dir);
    try {
      const written: string[] = [];
      const report = await new Consecutor(pipe(writeFile(out), output('written')), { outputs: { written } }).run([
        { path: '/somewhere/a.txt', content: 'A' },
        { path: 'b.bin', content: new Uint8Array([7, 8]) },
      ]);
      expect(report.ok).toBe(true);
      expect(written.sort()).toEqual([join(out, 'a.txt'), join(out, 'b.bin')]);
      expect(readFileSync(join(out, 'a.txt'), 'utf8')).toBe('A');
      expect(readFileSync(join(out, 'b.bin'))).toEqual(Buffer.from([7, 8]));
      expect(readdirSync(out).sort()).toEqual(['a.txt', 'b.bin']); // no temporary file left
      expect(fsyncs.syncs()).toBe(4); // each file, and the directory after each rename
    } finally {
      fsyncs.restore();
    }
  });

  it('a directory that does not exist fails the item with the path and the reason, and leaves nothing', async () => {
    const out = join(tmp.dir, 'nope');
    const dead: FailureRecord[] = [];
    const report = await new Consecutor(writeFile(out), { guarantee: 'replay', outputs: { deadLetter: dead } }).run([{ path: 'a.txt', content: 'A' }]);
    expect(report.deadLettered).toBe(1);
    expect(dead[0]!.error.message).toBe(`node "writeFile" failed on item {"path":"a.txt","content":"A"}: cannot write ${join(out, 'a.txt')}: the directory ${out} does not exist`);
  });

  it('an item that is no { path, content } fails at once (BAD_INPUT)', async () => {
    const dead: FailureRecord[] = [];
    await new Consecutor(writeFile(tmp.dir), { guarantee: 'replay', retries: 2, outputs: { deadLetter: dead } }).run([{ path: 'a.txt', content: 5 } as never]);
    expect(dead[0]!.error).toMatchObject({ code: 'BAD_INPUT', message: 'node "writeFile": expected { path, content } with a string or bytes as content, got object {"path":"a.txt","content":5}' });
    expect(readdirSync(tmp.dir)).toEqual([]);
  });

  it('files of one basename are written one after the other: the last one wins, whole', async () => {
    const contents = Array.from({ length: 20 }, (_, i) => `${i}`.repeat(10_000));
    const report = await new Consecutor(pipe(map((c: string) => ({ path: 'same.txt', content: c })), writeFile(tmp.dir, { concurrency: 8 })), {}).run(contents);
    expect(report.ok).toBe(true);
    expect(contents).toContain(readFileSync(join(tmp.dir, 'same.txt'), 'utf8'));
    expect(readdirSync(tmp.dir)).toEqual(['same.txt']);
  });
});

describe('print', () => {
  it('writes a line per item (strings as they are, the rest as JSON) and passes the item on', async () => {
    const { chunks, stream } = collector();
    const seen: unknown[] = [];
    const report = await new Consecutor(pipe(print({ stream }), output('seen')), { outputs: { seen } }).run(['a', { n: 1 }, 2, { big: 3n }]);
    expect(report.ok).toBe(true);
    expect(chunks.join('')).toBe('a\n{"n":1}\n2\n{ big: 3n }\n');
    expect(seen).toEqual(['a', { n: 1 }, 2, { big: 3n }]);
  });
});
