import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, offload, type Mode } from 'consecution';
import { lossOf } from '../../src/worker/crossing.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

/** The CONSECUTION_UNCLONABLE warnings emitted while a test runs. */
let warnings: string[] = [];
const listen = (w: Error & { code?: string }) => {
  if (w.code === 'CONSECUTION_UNCLONABLE') warnings.push(w.message);
};
beforeEach(() => {
  warnings = [];
  process.on('warning', listen);
});
afterEach(() => {
  process.off('warning', listen);
});

/** Runs `input` through the identity node (it pushes what it gets), and lets the warnings (emitted on the next tick) arrive. */
async function identity(mode: Mode, input: unknown[], module = 'identity'): Promise<unknown[]> {
  const out: unknown[] = [];
  const report = await new Consecutor(offload(fixture(module), { parallelism: 1 }), { mode, outputs: { default: out } }).run(input);
  await new Promise(setImmediate);
  expect(report.ingested).toBe(input.length);
  return out;
}

describe('values that would not cross to a worker, in sync mode', () => {
  it('warn once per node, naming it, the item and what would not cross; the run goes on as before', async () => {
    const out: unknown[] = [];
    const twice = pipe(offload('first', fixture('identity')), offload('second', fixture('identity')));
    const input = [1, { id: 7, f: () => 1 }, { g: () => 2 }, Symbol('s')];
    expect(await new Consecutor(twice, { mode: 'sync', outputs: { default: out } }).run(input)).toMatchObject({ ok: true, completed: 4 });
    await new Promise(setImmediate);
    expect(out).toHaveLength(4);
    const warning = (node: string) =>
      `node "${node}" runs inline (mode 'sync'), where nothing is copied; in a worker (mode 'thread' or 'process') the item {"id":7,"f":"[function f]"} would not cross unchanged: at .f, a function cannot be cloned, so the item would fail with BAD_INPUT. (Warned once for this node in this run.)`;
    expect(warnings).toEqual([warning('first'), warning('second')]);
  });

  it('warn of a class instance that would arrive as a plain object: what a worker does to it', async () => {
    const [inline] = await identity('sync', [new Point(3, 4)]);
    expect(inline).toBeInstanceOf(Point);
    expect(warnings).toEqual([expect.stringContaining('the item {"x":3,"y":4} would not cross unchanged: a Point instance would arrive as a plain object of its own enumerable properties: its class (prototype, methods, private fields) would be lost. (Warned')]);
    warnings = [];
    const [crossed] = await identity('thread', [new Point(3, 4)]);
    expect(crossed).not.toBeInstanceOf(Point);
    expect(crossed).toEqual({ x: 3, y: 4 });
    // In a worker it is no longer a question: no warning.
    expect(warnings).toEqual([]);
  });

  it('warn of what a node pushes, in process() and in end()', async () => {
    await identity('sync', [1, { back: 'fn' }], 'unclonable');
    expect(warnings).toEqual([
      expect.stringContaining(`the value item {"back":"fn"} pushed would not cross unchanged: at .f, a function cannot be cloned, so the item would fail with NODE_FAILED.`),
    ]);
    warnings = [];
    await identity('sync', [1, 2], 'unclonable');
    expect(warnings).toEqual([expect.stringContaining('the value end() pushed would not cross unchanged: a function cannot be cloned, so it would be lost and the run would report NODE_FAILED.')]);
  });

  it('are not warned of when everything would cross: numbers, Dates, Maps, typed arrays, nested objects, undefined', async () => {
    const input = [1, -0, Number.NaN, 'a', undefined, null, 5n, new Date(0), new Map([['k', { at: new Date(1) }]]), new Set([1]), new Uint8Array(2), { a: [1, { b: /x/g }] }];
    expect(await identity('sync', input)).toHaveLength(input.length);
    expect(await identity('sync', Array.from({ length: 600 }, (_, i) => i * 0.5))).toHaveLength(600);
    expect(warnings).toEqual([]);
  });
});

describe('lossOf: what would not cross to a worker unchanged', () => {
  const crossing: [string, unknown][] = [
    ['a number', 1.5],
    ['a nested plain object with cycles', (() => {
      const o: Record<string, unknown> = { a: [1, 'x', null, undefined] };
      o.self = o;
      return o;
    })()],
    ['a Date, a RegExp, a Map, a Set', [new Date(5), /a/g, new Map([[1, new Set([2])]]), new Set(['s'])]],
    ['typed arrays and an ArrayBuffer', [new Float64Array([1, 2]), new Uint8Array(3), new ArrayBuffer(4)]],
    ['a TypeError with a cause', new TypeError('bad', { cause: new RangeError('why') })],
    ['a BigInt, and a boxed string', [10n, Object('s') as object]],
  ];
  it.each(crossing)('%s crosses as it is (checked against the structured clone)', (_, value) => {
    expect(lossOf(value)).toBeUndefined();
    expect(structuredClone(value)).toStrictEqual(value);
  });

  class MyError extends Error {
    override name = 'MyError';
  }
  class Tags extends Set<string> {}
  const coded = Object.assign(new Error('disk'), { code: 'ENOSPC' });
  const changing: [string, unknown, string][] = [
    ['a class instance', { at: [new Point(1, 2)] }, 'at .at[0], a Point instance would arrive as a plain object'],
    ['a subclass of Set', new Tags(['a']), 'a Tags (a subclass of Set) would arrive as a plain Set'],
    ['an Error subclass', new MyError('m'), 'a MyError would arrive as a plain Error'],
    ["an Error's own property", coded, `an Error's own property "code" would be lost`],
    ['a symbol key', { [Symbol('k')]: 1, a: 2 }, 'a property keyed by a symbol would be dropped'],
    ['a Buffer', { b: Buffer.from('ab') }, 'at .b, a Buffer would arrive in a worker thread as a Uint8Array'],
    ['a URL', new URL('https://example.com/'), 'a URL instance would arrive as a plain object'],
  ];
  it.each(changing)('%s arrives changed (so the structured clone says)', (_, value, what) => {
    expect(lossOf(value)).toEqual({ fails: false, what: expect.stringContaining(what) });
    expect(structuredClone(value)).not.toStrictEqual(value);
  });

  const failing: [string, unknown, string][] = [
    ['a function', { a: { b: [0, () => 1] } }, 'at .a.b[1], a function cannot be cloned'],
    ['a symbol', [Symbol('s')], 'at [0], a symbol cannot be cloned'],
    ['a Promise in a Map', new Map([['p', Promise.resolve(1)]]), 'at .get("p"), a Promise cannot be cloned'],
    ['a WeakMap', new WeakMap(), 'a WeakMap cannot be cloned'],
    ['a Proxy', new Proxy({ a: 1 }, {}), 'a Proxy cannot be cloned'],
  ];
  it.each(failing)('%s fails to go (so the structured clone says)', (_, value, what) => {
    expect(lossOf(value)).toEqual({ fails: true, what });
    expect(() => structuredClone(value)).toThrow(/could not be cloned/);
  });
});
