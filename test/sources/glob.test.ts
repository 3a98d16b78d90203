import { describe, expect, it } from 'vitest';
import { pathMatcher } from '../../src/sources/glob.js';

describe('pathMatcher (watchDirectory pattern)', () => {
  it('a pattern without / matches the file name at any depth; * and ? skip a leading dot', () => {
    const csv = pathMatcher('*.csv');
    expect(['a.csv', 'x/y/b.csv'].map(csv)).toEqual([true, true]);
    expect(['a.csvx', '.a.csv', 'a.csv.tmp', 'x/.b.csv'].map(csv)).toEqual([false, false, false, false]);
    expect(pathMatcher('.*.tmp')('.a.csv.tmp')).toBe(true);
    expect(['ab', 'a/', 'abc'].map(pathMatcher('a?'))).toEqual([true, false, false]);
  });

  it('a pattern with / matches the relative path: ** is any run of directories', () => {
    const json = pathMatcher('in/**/*.json');
    expect(['in/a.json', 'in/x/y/a.json'].map(json)).toEqual([true, true]);
    expect(['out/a.json', 'a.json', 'in/a.jsonl'].map(json)).toEqual([false, false, false]);
  });

  it('alternatives, character classes, and literal characters that mean something in a RegExp', () => {
    expect(['a.csv', 'a.tsv', 'a.txt'].map(pathMatcher('*.{csv,tsv}'))).toEqual([true, true, false]);
    expect(['f1', 'f2', 'f9'].map(pathMatcher('f[12]'))).toEqual([true, true, false]);
    expect(['f1', 'f9'].map(pathMatcher('f[!1]'))).toEqual([false, true]);
    expect(['a+b(1).txt', 'aab(1).txt'].map(pathMatcher('a+b(1).txt'))).toEqual([true, false]);
  });

  it('a RegExp is tested against the relative path', () => {
    expect(['2024/jan.csv', 'jan.csv'].map(pathMatcher(/^\d{4}\//))).toEqual([true, false]);
  });
});
