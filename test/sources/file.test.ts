import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Consecutor, fromFile, fromStdin, map, openStore, type FailureRecord } from 'consecution';

/** A temp dir with `in.ndjson` holding `text`, and the path of a store beside it. */
function setup(text: string): { file: string; store: string } {
  const dir = mkdtempSync(join(tmpdir(), 'consecution-file-'));
  const file = join(dir, 'in.ndjson');
  writeFileSync(file, text);
  return { file, store: join(dir, 'state') };
}

/** One durable run over the file: what left, what was dead-lettered (by message), the report. */
async function durableRun(file: string, store: string) {
  const out: number[] = [];
  const deadLetter: FailureRecord[] = [];
  const c = new Consecutor(map((r: { n: number }) => r.n), { guarantee: 'replay', store: { path: store }, outputs: { default: out, deadLetter } });
  const report = await c.run(fromFile(file, { format: 'ndjson' }));
  return { out, dead: deadLetter.map((d) => d.error.message.replace(/ \(.*$/, '')), report };
}

async function stored(store: string) {
  const s = openStore(store);
  try {
    return { stats: s.stats(), dead: s.deadLetters().map((d) => d.error.message.replace(/ \(.*$/, '')) };
  } finally {
    await s.close();
  }
}

describe('fromFile in a durable run', () => {
  it('a bad last line without a newline is dead-lettered once, as the line it is; the next run reads nothing again', async () => {
    const { file, store } = setup('{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n{"n":');
    const first = await durableRun(file, store);
    expect(first.out).toEqual([1, 2, 3, 4, 5]);
    expect(first.dead).toEqual(['in.ndjson line 6: not valid JSON']);
    expect((await stored(store)).stats.position).toEqual({ offset: statSync(file).size, line: 6 });

    const second = await durableRun(file, store);
    expect(second.report).toMatchObject({ ingested: 0, deadLettered: 0 });
    expect(second.out).toEqual([]);
    expect(await stored(store)).toMatchObject({ stats: { deadLetters: 1 }, dead: ['in.ndjson line 6: not valid JSON'] });
  });

  it('resumes mid-file with the file\'s own line numbers; dead letters of earlier runs are kept', async () => {
    const { file, store } = setup('{"n":1}\n\n{"n":3}\r\n');
    expect((await durableRun(file, store)).out).toEqual([1, 3]);
    appendFileSync(file, '{"n":4}\n{"n":\n{"n":6}\nnope');
    const second = await durableRun(file, store);
    expect(second.out).toEqual([4, 6]);
    expect(second.dead).toEqual(['in.ndjson line 5: not valid JSON', 'in.ndjson line 7: not valid JSON']);
    // The break of line 7 comes now: it is no line of its own.
    appendFileSync(file, '\n{bad\n{"n":9}\n');
    const third = await durableRun(file, store);
    expect(third.out).toEqual([9]);
    expect(third.dead).toEqual(['in.ndjson line 8: not valid JSON']);
    // Each bad line has its own dead letter: a later one took no id of an earlier one.
    expect((await stored(store)).dead).toEqual([
      'in.ndjson line 5: not valid JSON',
      'in.ndjson line 7: not valid JSON',
      'in.ndjson line 8: not valid JSON',
    ]);
  });

  it('resumes from a store that journaled a plain byte offset, counting the lines before it', async () => {
    const { file, store } = setup('{"n":1}\n{"n":2}\r\n{"n":3}\n{bad\n');
    const s = openStore(store);
    await s.journal([{ id: 0, value: { n: 2 }, position: 17 }], 17); // just past line 2
    s.forget(0);
    await s.close();
    const run = await durableRun(file, store);
    expect(run.out).toEqual([3]);
    expect(run.dead).toEqual(['in.ndjson line 4: not valid JSON']);
  });
});

describe('line sources check their options at once', () => {
  it('refuse a misspelt option, saying which one was meant', () => {
    expect(() => fromFile('x.ndjson', { maxLineByte: 10 } as never)).toThrow(/unknown fromFile\(\) option maxLineByte \(10\).*did you mean maxLineBytes\?/);
    expect(() => fromStdin({ fromat: 'ndjson' } as never)).toThrow(/unknown fromStdin\(\) option fromat.*did you mean format\?/);
  });
});
