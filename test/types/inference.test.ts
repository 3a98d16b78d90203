// Type-level tests: `npm run typecheck` checks them (expectTypeOf does nothing at run time); the
// runs below only show that the pipelines typed here do what their types say.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { pipe } from 'rxjs';
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { BaseNode, chunk, Consecutor, flatten, map, node, output, type Node, type NodeContext } from 'consecution';
import { collect } from 'consecution/testing';

interface Pair {
  readonly from: string;
  readonly to: string;
}
interface Located {
  readonly km: number;
}
const country = async (user: string, _signal: AbortSignal): Promise<string> => (user.endsWith('.fr') ? 'FR' : 'DE');
class Upper extends BaseNode<string, string> {
  process(s: string) {
    return s.toUpperCase();
  }
}
const lookUp = async (pair: Pair, _signal: AbortSignal): Promise<Located> => ({ km: pair.from.length + pair.to.length });

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

describe('node() infers its output type', () => {
  it('from what process returns, also when process uses ctx', () => {
    const geocode = node('geocode', { async process(pair: Pair, ctx) { return lookUp(pair, ctx.signal); } });
    expectTypeOf(geocode).toEqualTypeOf<Node<Pair, Located>>();
    const either = node('checked', { process: (km: number): Either<string, Located> => (km >= 0 ? right({ km }) : left('negative')) });
    expectTypeOf(either).toEqualTypeOf<Node<number, Located>>();
    expectTypeOf(node(new Upper())).toEqualTypeOf<Node<string, string>>();
  });

  it('from the stage before it, for a value it does not annotate', () => {
    const p = pipe(
      map((line: string) => JSON.parse(line) as { user: string }),
      node('enrich', { async process(order, ctx) { return { ...order, country: await country(order.user, ctx.signal) }; } }),
    );
    expectTypeOf(p).toEqualTypeOf<Node<string, { user: string; country: string }>>();
  });

  it('of a node that only pushes, from the type of its ctx, or as written', async () => {
    const geocode = node('geocode', {
      async process(pair: Pair, ctx: NodeContext<Located>) {
        ctx.push(await lookUp(pair, ctx.signal));
      },
    });
    expectTypeOf(geocode).toEqualTypeOf<Node<Pair, Located>>();
    const written = node<Pair, Located>('geocode', { async process(pair, ctx) { ctx.push(await lookUp(pair, ctx.signal)); } });
    expectTypeOf(written).toEqualTypeOf<Node<Pair, Located>>();
    const p = pipe(geocode, map((l) => l.km), output('km'));
    const km: number[] = [];
    await new Consecutor(p, { outputs: { km } }).run([{ from: 'a', to: 'bc' }]);
    expect(km).toEqual([3]);
  });

  it('and then checks what is pushed', () => {
    // @ts-expect-error a string is not a Located
    node<Pair, Located>('geocode', { process(_pair, ctx) { ctx.push('far'); } });
    // @ts-expect-error a string is not a Located
    node('geocode', { process(_pair: Pair, ctx: NodeContext<Located>) { ctx.push('far'); } });
  });

  it('but not from a push alone: with neither, the output is unknown', () => {
    const geocode = node('geocode', { async process(pair: Pair, ctx) { ctx.push(await lookUp(pair, ctx.signal)); } });
    expectTypeOf(geocode).toEqualTypeOf<Node<Pair, unknown>>();
    expectTypeOf(node('log', { process(_n: number) {} })).toEqualTypeOf<Node<number, unknown>>();
  });
});
