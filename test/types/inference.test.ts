// Type-level tests: `npm run typecheck` checks them (expectTypeOf does nothing at run time); the
// runs below only show that the pipelines typed here do what their types say.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { pipe } from 'rxjs';
import { chunk, flatten, map, node, type Node } from 'consecution';
import { collect } from 'consecution/testing';

interface Pair {
  readonly from: string;
  readonly to: string;
}

describe('chunk() infers its batch type', () => {
  it('as the first stage, from the stage that takes the batch', async () => {
    const p = pipe(chunk('rows', 2), map((rows: number[]) => rows.length));
    expectTypeOf(p).toEqualTypeOf<Node<unknown, number>>();
    const insert = pipe(chunk('rows', 500), node('insert', { async process(rows: Pair[]) { return rows.length; } }));
    expectTypeOf(insert).toEqualTypeOf<Node<unknown, number>>();
    expect((await collect(p, [1, 2, 3])).values).toEqual([2, 1]);
  });

  it('from the stage before it, from a key function, or as written', () => {
    expectTypeOf(pipe(map((s: string) => s.length), chunk(2))).toEqualTypeOf<Node<string, number[]>>();
    expectTypeOf(pipe(map((s: string) => s.length), chunk(2), map((b) => b.map((n) => n + 1)))).toEqualTypeOf<Node<string, number[]>>();
    expectTypeOf(chunk('by-trip', (p: Pair) => p.from)).toEqualTypeOf<Node<Pair, Pair[]>>();
    expectTypeOf(chunk<number>('rows', 2)).toEqualTypeOf<Node<number, number[]>>();
  });

  it('from what a run is given', async () => {
    const { values } = await collect(pipe(chunk(2), flatten()), [1, 2, 3]);
    expectTypeOf(values).toEqualTypeOf<number[]>();
    expect(values).toEqual([1, 2, 3]);
  });
});
