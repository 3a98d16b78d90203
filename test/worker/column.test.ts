import { describe, expect, it } from 'vitest';
import { Column } from '../../src/worker/column.js';

const fill = (c: Column, values: readonly unknown[]) => {
  for (const v of values) c.push(v);
  return c;
};

describe('Column', () => {
  it('keeps numbers in a Float64Array, exactly (-0, NaN, infinities), and grows past its capacity', () => {
    const values = [1, -0, Number.NaN, Infinity, -Infinity, 0.1, 2 ** 60];
    const sealed = fill(new Column(4), values).seal();
    expect(sealed).toBeInstanceOf(Float64Array);
    expect(Array.from(sealed)).toEqual(values);
  });

  it('moves to an array at the first value that is not a number, keeping what came before', () => {
    const values = [1, -0, 'two', { three: 3 }, 4];
    const sealed = fill(new Column(8), values).seal();
    expect(Array.isArray(sealed)).toBe(true);
    expect(sealed).toEqual(values);
  });

  it('seals exactly `length` values: a partial column, a truncated one', () => {
    const c = fill(new Column(8), [1, 2, 3]);
    expect(Array.from(c.seal())).toEqual([1, 2, 3]);
    c.truncate(1);
    expect(Array.from(c.seal())).toEqual([1]);
    const mixed = fill(new Column(8), ['a', 'b', 'c']);
    mixed.truncate(2);
    expect(mixed.seal()).toEqual(['a', 'b']);
  });

  it('can be reused after clear(), back to numbers', () => {
    const c = fill(new Column(2), ['x', 1]);
    c.clear();
    fill(c, [5, 6]);
    expect(c.length).toBe(2);
    expect(c.seal()).toBeInstanceOf(Float64Array);
    expect(Array.from(c.seal())).toEqual([5, 6]);
  });
});
