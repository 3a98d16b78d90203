import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { toStdout } from 'consecution';

const job = new URL('./fixtures/stdout-job.ts', import.meta.url).pathname;

/** A stream that takes one byte before it says it is full, and holds each write until told. */
function slowStream(): { stream: Writable; calls: string[]; release(): void } {
  const held: (() => void)[] = [];
  const calls: string[] = [];
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      calls.push(chunk.toString());
      held.push(cb);
    },
  });
  return { stream, calls, release: () => held.splice(0).forEach((cb) => cb()) };
}

const turns = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('toStdout', () => {
  it('a slow reader holds the appends back: the next batch is written once the stream has taken the last', async () => {
    const { stream, calls, release } = slowStream();
    const out = toStdout({ stream, format: 'lines' });
    await out.open();
    let confirmed = 0;
    const first = out.append('a').then(() => confirmed++);
    await turns();
    const more = [out.append('b'), out.append('c')].map((p) => p.then(() => confirmed++));
    await turns();
    // 'a' is with the stream, not taken yet: nothing is confirmed, and 'b', 'c' are not written.
    expect(calls).toEqual(['a\n']);
    expect(confirmed).toBe(0);
    release();
    await first;
    await turns();
    expect(calls).toEqual(['a\n', 'b\nc\n']); // the next batch, in one write
    release();
    await Promise.all(more);
    expect(confirmed).toBe(3);
    await out.close();
  });

  it("a stream whose write() says it is full: the next batch waits for its 'drain', even when the write's callback came", async () => {
    // A TTY or socket may call back before it drains; this stream does so at once.
    const calls: string[] = [];
    const stream = Object.assign(new EventEmitter(), {
      write(chunk: string, cb: (e?: Error | null) => void) {
        calls.push(chunk);
        queueMicrotask(() => cb());
        return false;
      },
    });
    const out = toStdout({ stream: stream as unknown as Writable, format: 'lines' });
    let confirmed = 0;
    const first = out.append('a').then(() => confirmed++);
    await turns();
    const second = out.append('b').then(() => confirmed++);
    await turns();
    expect(calls).toEqual(['a\n']);
    expect(confirmed).toBe(0);
    stream.emit('drain');
    await first;
    await turns();
    expect(calls).toEqual(['a\n', 'b\n']);
    stream.emit('drain');
    await second;
    expect(confirmed).toBe(2);
    await out.close();
  });

  it('a stream that fails rejects the appends being written with OUTPUT_FAILED', async () => {
    const stream = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const out = toStdout({ stream });
    await expect(out.append({ n: 1 })).rejects.toMatchObject({ code: 'OUTPUT_FAILED', message: 'toStdout(): the stream failed: write EPIPE' });
    await out.close();
  });

  it('a value that cannot be a line fails alone', () => {
    expect(() => toStdout().append({ n: 1n })).toThrow('toStdout(): cannot write object {"n":"1n"} as JSON: Do not know how to serialize a BigInt');
    expect(() => toStdout({ format: 'xml' as never })).toThrow("toStdout(): format must be one of 'ndjson', 'lines', got string \"xml\"");
  });

  it('writes every line to the real stdout of a process (toStdout as an output, print() as a node)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', job, '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter(Boolean);
    const printed = lines.filter((l) => l.startsWith('print '));
    const written = lines.filter((l) => l.startsWith('{'));
    expect(printed).toEqual(Array.from({ length: 2000 }, (_, i) => `print ${i}`));
    expect(written.map((l) => (JSON.parse(l) as { n: number }).n).sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });
});
