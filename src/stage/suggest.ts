/**
 * The candidate `word` was most likely meant to be, for a "did you mean" in an error message:
 * the closest one by edit distance (insertions, deletions, substitutions and swaps of two
 * neighbouring letters, case ignored), if it is at most 2 edits away and the word is long enough
 * for that to mean something (a third of its length, so `id` suggests nothing).
 *
 * @example
 * ```ts
 * suggest('concurency', ['name', 'concurrency', 'timeoutMs']) // 'concurrency'
 * suggest('colour', ['name', 'concurrency'])                // undefined
 * ```
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Damerau-Levenshtein distance, optimal string alignment variant: each substring edited once. */
function distance(a: string, b: string): number {
  // Three rows of the table: two before this one, one before, this one.
  let before2: number[] = [];
  let before = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(before[j]! + 1, row[j - 1]! + 1, before[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before2[j - 2]! + 1);
      row.push(d);
    }
    before2 = before;
    before = row;
  }
  return before[b.length]!;
}
