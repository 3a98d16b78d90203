import { describe, expect, it } from 'vitest';
import { ConsecutionError, map, route } from 'consecution';
import { collect, runNode } from 'consecution/testing';

const tag = (t: string) => map((x: number) => `${t}:${x}`);

describe('route', () => {
  it('sends each item to the branch its key names (record of branches)', async () => {
    const { values } = await collect(route((x: number) => (x % 2 ? 'odd' : 'even'), { odd: tag('o'), even: tag('e') }), [1, 2, 3]);
    expect(values.sort()).toEqual(['e:2', 'o:1', 'o:3']);
  });

  it('sends each item to the branch its index names (array of branches)', async () => {
    const { values } = await collect(route((x: number) => x % 2, [tag('zero'), tag('one')]), [1, 2]);
    expect(values.sort()).toEqual(['one:1', 'zero:2']);
  });

  it('is 1:1: no acker traffic', async () => {
    const { anchors } = await runNode(route(() => 'a', { a: tag('a') }), [1, 2]);
    expect(anchors.every((a) => a.complete && a.adds === 0)).toBe(true);
  });

  it('fails an unmatched key with ROUTE_UNMATCHED (not retried), unless there is a default branch', async () => {
    const { values, report } = await collect(route('by', () => 'nope', { a: tag('a'), b: tag('b') }), [7], {
      guarantee: 'replay',
    });
    expect(values).toEqual([]);
    expect(report).toMatchObject({ deadLettered: 1, retried: 0 });
    expect(report.failures[0]!.error).toMatchObject({ code: 'ROUTE_UNMATCHED' });
    expect(report.failures[0]!.error.message).toBe('route "by": "nope" for item 7 matches no branch (branches: a, b)');
    const withDefault = await collect(route(() => 'nope', { a: tag('a'), default: tag('d') }), [7]);
    expect(withDefault.values).toEqual(['d:7']);
  });

  it('rejects bad branches at once', () => {
    expect(() => route(() => 0, 5 as never)).toThrow(ConsecutionError);
    expect(() => route(() => 0, { a: 'x' as never })).toThrow('route(): branch "a" must be a function, got string "x"');
  });
});
