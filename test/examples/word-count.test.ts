import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIR, main, normalise, splitWords } from '../../examples/word-count.js';

/** The same count with a plain loop. */
async function plainCount(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const f of await readdir(dir)) {
    if (!f.endsWith('.txt')) continue;
    for (const line of (await readFile(join(dir, f), 'utf8')).split('\n')) {
      for (const word of splitWords(line).map(normalise)) if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}

describe('examples/word-count', () => {
  it('counts the words of the merged files like a plain loop does', async () => {
    const { counts, files, report } = await main({ quiet: true });
    expect(files).toHaveLength(3);
    expect(counts).toEqual(await plainCount(DEFAULT_DIR));
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(500); // more than one batch
    expect(report).toMatchObject({ ok: true, failed: 0 });
    expect(report.completed).toBe(report.ingested);
  });

  it('gives the top words, most frequent first', async () => {
    const { top } = await main({ quiet: true, top: 3 });
    expect(top).toEqual([['the', 75], ['and', 32], ['a', 20]]);
  });

  it('gives the same counts with small batches', async () => {
    const { counts, report } = await main({ quiet: true, batchSize: 7 });
    expect(counts).toEqual(await plainCount(DEFAULT_DIR));
    expect(report.nodes['batches']!.emitted).toBeGreaterThanOrEqual(Math.ceil(553 / 7));
  });

  it('normalises words', () => {
    expect(['Boats,', '"Hello!"', "O'Hare", '--', 'ROAD.'].map(normalise)).toEqual(['boats', 'hello', "o'hare", '', 'road']);
  });
});
