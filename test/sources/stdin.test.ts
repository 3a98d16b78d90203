import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { Consecutor, fromStdin, map, output } from 'consecution';

describe('fromStdin', () => {
  it('reads lines', async () => {
    const out: string[] = [];
    const c = new Consecutor(output('out'), { outputs: { out } });
    const report = await c.run(fromStdin({ input: Readable.from(['a\nb', '\nc\n']) }));
    expect(out).toEqual(['a', 'b', 'c']);
    expect(report.ok).toBe(true);
  });

  it('parses NDJSON; a malformed line becomes a failure record with its line number, never a crash', async () => {
    const out: number[] = [];
    const deadLetter: unknown[] = [];
    const c = new Consecutor(map((r: { n: number }) => r.n), { guarantee: 'replay', outputs: { default: out, deadLetter } });
    const input = Readable.from(['{"n":1}\n', '{"n":\n', '\n', '{"n":3}\n']);
    const report = await c.run(fromStdin({ format: 'ndjson', input }));
    expect(out).toEqual([1, 3]);
    expect(report).toMatchObject({ ingested: 3, completed: 2, deadLettered: 1, retried: 0 });
    expect(deadLetter).toHaveLength(1);
    expect(deadLetter[0]).toMatchObject({ item: '{"n":', node: 'stdin', error: { code: 'BAD_INPUT' } });
    expect((deadLetter[0] as { error: { message: string } }).error.message).toMatch(/^stdin line 2: not valid JSON/);
  });

  it('reads real standard input in a child process', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = `
      import { Consecutor, fromStdin, map } from 'consecution';
      const out = [];
      const r = await new Consecutor(map((x) => x.n * 10), { outputs: { default: out } }).run(fromStdin({ format: 'ndjson' }));
      console.log(JSON.stringify({ out, ok: r.ok }));
    `;
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      input: '{"n":1}\n{"n":2}\n',
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout)).toEqual({ out: [10, 20], ok: true });
  });
});
