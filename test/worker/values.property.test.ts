import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pipe } from 'rxjs';
import { Consecutor, offload, ordered, output, type Mode } from 'consecution';
import { runs } from '../property/harness.js';

const identity = new URL('./fixtures/identity.ts', import.meta.url);

/** Values the structured clone carries, numbers of every kind among them (-0, NaN, infinities). */
const leaf = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
);
const value = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.dictionary(fc.string(), leaf) },
  { weight: 1, arbitrary: fc.array(fc.tuple(fc.string(), leaf)).map((entries) => new Map(entries)) },
  { weight: 1, arbitrary: fc.float64Array() },
  { weight: 1, arbitrary: fc.uint8Array() },
  { weight: 1, arbitrary: fc.array(leaf) },
);
/** Mostly numbers, so that batches of numbers only (sent as a Float64Array) and mixed ones both occur. */
const special = fc.constantFrom(-0, Number.NaN, Infinity, -Infinity);
const items = fc.array(fc.oneof({ weight: 3, arbitrary: fc.double() }, { weight: 1, arbitrary: special }, { weight: 1, arbitrary: value }), {
  maxLength: 80,
});

async function roundTrip(mode: Mode, input: unknown[]): Promise<unknown[]> {
  const out: unknown[] = [];
  const c = new Consecutor(pipe(offload(identity, { parallelism: 2, batch: 7 }), ordered(), output('out')), { mode, outputs: { out } });
  const report = await c.run(input);
  expect(report).toMatchObject({ ok: true, completed: input.length });
  return out;
}

describe('values crossing to workers (property)', () => {
  it('come back exactly as they went, in every mode: numbers (-0, NaN), Dates, Maps, typed arrays, BigInts, undefined', async () => {
    await fc.assert(
      fc.asyncProperty(items, async (input) => {
        for (const mode of ['sync', 'thread', 'process'] as const) expect(await roundTrip(mode, input)).toEqual(input);
      }),
      { numRuns: runs(5) },
    );
  }, 60_000);

  it('keep -0 and NaN in a batch of numbers only', async () => {
    const input = [1, -0, Number.NaN, Infinity, -Infinity, 2 ** 53 + 2, 5e-324];
    const out = await roundTrip('thread', input);
    expect(out.map((x) => Object.is(x, -0))).toEqual(input.map((x) => Object.is(x, -0)));
    expect(out).toEqual(input);
  });
});
