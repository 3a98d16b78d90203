import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipe } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consecutor, fromIterable, map, output, toFile } from 'consecution';
import { countFsyncs, tempDir } from './files-helpers.js';

let tmp: ReturnType<typeof tempDir>;
let fsyncs: Awaited<ReturnType<typeof countFsyncs>>;
beforeEach(async () => {
  tmp = tempDir();
  fsyncs = await countFsyncs(tmp.dir);
});
afterEach(() => {
  fsyncs.restore();
  tmp.remove();
});

const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

describe('toFile', () => {
  it('writes a line of JSON per item; a run of 2,000 items takes far fewer fsyncs than items', async () => {
    const file = join(tmp.dir, 'out.ndjson');
    const items = Array.from({ length: 2000 }, (_, i) => ({ n: i }));
    const report = await new Consecutor(output('rows'), { guarantee: 'replay', outputs: { rows: toFile(file) } }).run(items);
    expect(report).toMatchObject({ ok: true, completed: 2000 });
    expect(linesOf(file).map((l) => JSON.parse(l) as unknown)).toEqual(items);
    expect(fsyncs.syncs()).toBeGreaterThanOrEqual(1);
    expect(fsyncs.syncs()).toBeLessThanOrEqual(200);
  });

  it('the appends of one burst share one write and one fsync; each resolves only after it', async () => {
    const sink = toFile(join(tmp.dir, 'out.ndjson'));
    await sink.open();
    const [writes0, syncs0] = [fsyncs.writes(), fsyncs.syncs()];
    let resolved = 0;
    const atSync: number[] = [];
    fsyncs.onSync(() => atSync.push(resolved));
    fsyncs.onSynced(() => atSync.push(resolved));
    await Promise.all(Array.from({ length: 100 }, (_, i) => sink.append({ i }).then(() => resolved++)));
    expect(fsyncs.syncs() - syncs0).toBe(1);
    expect(fsyncs.writes() - writes0).toBe(1);
    expect(atSync).toEqual([0, 0]); // none had resolved when the fsync was called, nor when it was done
    expect(resolved).toBe(100);
    await sink.close();
  });

  it('appends made while a batch is being committed go together in the next batch', async () => {
    const file = join(tmp.dir, 'out.ndjson');
    const sink = toFile(file);
    await sink.open();
    const syncs0 = fsyncs.syncs();
    const batches: number[] = [];
    fsyncs.onSync(() => batches.push(linesOf(file).length));
    const first = sink.append({ batch: 1 });
    // The first batch is committing (its write is under way): these 50 wait for the next.
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 50 }, (_, i) => sink.append({ batch: 2, i }));
    // What an append's resolution means: its line is in the file, whole.
    const seenAtFirst = await first.then(() => linesOf(file).length);
    await Promise.all(rest);
    expect(fsyncs.syncs() - syncs0).toBe(2);
    expect(batches).toEqual([1, 51]);
    expect(seenAtFirst).toBeGreaterThanOrEqual(1);
    await sink.close();
    expect(linesOf(file)).toHaveLength(51);
  });

  it('with fsync: false writes without fsyncing', async () => {
    const file = join(tmp.dir, 'out.txt');
    const report = await new Consecutor(output('rows'), { outputs: { rows: toFile(file, { format: 'lines', fsync: false }) } }).run(['a', 'b', 3]);
    expect(report.ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n3\n');
    expect(fsyncs.syncs()).toBe(0);
  });

  it('a directory that does not exist fails the run at open(), with OUTPUT_FAILED naming the path, before any item is read', async () => {
    const file = join(tmp.dir, 'missing', 'out.ndjson');
    let reads = 0;
    const items = fromIterable(
      (function* () {
        for (;;) yield ++reads;
      })(),
    );
    const error = await new Consecutor(output('rows'), { outputs: { rows: toFile(file) } }).run(items).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_FAILED', node: 'rows' });
    expect((error as Error).message).toBe(`output "rows" failed to open: toFile(${JSON.stringify(file)}): cannot open ${file}: the directory ${join(tmp.dir, 'missing')} does not exist`);
    expect(reads).toBe(0);
  });

  it('a value that cannot be a line fails alone (not retried); the others are written', async () => {
    const file = join(tmp.dir, 'out.ndjson');
    const dead: unknown[] = [];
    const c = new Consecutor(pipe(map((x: number) => (x === 2 ? { big: 2n } : { x })), output('rows')), {
      guarantee: 'replay',
      retries: 3,
      outputs: { rows: toFile(file), deadLetter: dead },
    });
    const report = await c.run([1, 2, 3]);
    expect(report).toMatchObject({ completed: 2, deadLettered: 1, retried: 0 });
    expect(linesOf(file)).toEqual(['{"x":1}', '{"x":3}']);
    expect((dead[0] as { error: { message: string } }).error.message).toContain('cannot write object {"big":"2n"} as JSON: Do not know how to serialize a BigInt');
  });

  it("format 'lines' refuses objects and strings with a line break", async () => {
    const file = join(tmp.dir, 'out.txt');
    const sink = toFile(file, { format: 'lines' });
    expect(() => sink.append({ a: 1 })).toThrow(`toFile(${JSON.stringify(file)}): format 'lines' writes strings, numbers and booleans, got object {"a":1} (write it as 'ndjson')`);
    expect(() => sink.append('a\nb')).toThrow('a line may not hold a line break, got string "a\\nb"');
    await sink.append('ok');
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('ok\n');
  });

  it('a batch whose fsync fails is rejected and cut off the file; the next batch goes on from there', async () => {
    const file = join(tmp.dir, 'out.txt');
    const sink = toFile(file, { format: 'lines' });
    await Promise.all([sink.append('a'), sink.append('b')]);
    fsyncs.failNextSync(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await expect(Promise.all([sink.append('c'), sink.append('d')])).rejects.toMatchObject({ code: 'OUTPUT_FAILED' });
    expect(readFileSync(file, 'utf8')).toBe('a\nb\n');
    await sink.append('e');
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('a\nb\ne\n');
  });

  it('a file that ends without a line break (torn by a crash) gets one before the next line', async () => {
    const file = join(tmp.dir, 'out.ndjson');
    writeFileSync(file, '{"n":1}\n{"n":');
    const sink = toFile(file);
    await sink.append({ n: 2 });
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('{"n":1}\n{"n":\n{"n":2}\n');
  });

  it('rotates by items: the full file is renamed out.<n>.ndjson, numbers going up, and a restart goes on numbering', async () => {
    const file = join(tmp.dir, 'out.ndjson');
    const run = (from: number, to: number) =>
      new Consecutor(output('rows'), { outputs: { rows: toFile(file, { rotate: { items: 10 } }) } }).run(Array.from({ length: to - from }, (_, i) => from + i));
    expect((await run(0, 35)).ok).toBe(true);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('out')).sort()).toEqual(['out.1.ndjson', 'out.2.ndjson', 'out.3.ndjson', 'out.ndjson']);
    expect(linesOf(join(tmp.dir, 'out.1.ndjson'))).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(linesOf(file)).toEqual(['30', '31', '32', '33', '34']);
    // The next run counts the 5 lines already in out.ndjson.
    expect((await run(35, 50)).ok).toBe(true);
    expect(linesOf(join(tmp.dir, 'out.4.ndjson'))).toEqual(['30', '31', '32', '33', '34', '35', '36', '37', '38', '39']);
    const all = ['out.1.ndjson', 'out.2.ndjson', 'out.3.ndjson', 'out.4.ndjson', 'out.ndjson'].flatMap((f) => linesOf(join(tmp.dir, f)));
    expect(all.map(Number)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rotates by bytes: no file goes past the limit, and none is lost', async () => {
    const file = join(tmp.dir, 'log.txt');
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`);
    const report = await new Consecutor(output('rows'), { outputs: { rows: toFile(file, { format: 'lines', rotate: { bytes: 100 } }) } }).run(lines);
    expect(report.ok).toBe(true);
    const names = readdirSync(tmp.dir)
      .filter((f) => /^log\.\d+\.txt$/.test(f))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    expect(names.length).toBeGreaterThan(20);
    for (const f of [...names, 'log.txt']) expect(readFileSync(join(tmp.dir, f)).length).toBeLessThanOrEqual(100);
    expect([...names, 'log.txt'].flatMap((f) => linesOf(join(tmp.dir, f)))).toEqual(lines);
  });

  it('validates its options at once, showing the bad value', () => {
    expect(() => toFile('')).toThrow('toFile(): expected a file path, got ""');
    expect(() => toFile('a', { format: 'csv' as never })).toThrow("toFile(): format must be one of 'ndjson', 'lines', got string \"csv\"");
    expect(() => toFile('a', { rotate: { bytes: 0 } })).toThrow('toFile(): rotate.bytes must be an integer >= 1, got number 0');
    expect(() => toFile('a', { rotate: {} })).toThrow('toFile(): rotate must be an object with bytes and/or items, got object {}');
    expect(() => toFile('a', { fsynk: true } as never)).toThrow('unknown toFile() option fsynk');
    expect(existsSync('a')).toBe(false);
  });
});
