import { describe, expect, it } from 'vitest';
import { chunk, Consecutor, map, node } from 'consecution';
import { offload } from 'consecution/operators';

const p = map((x: number) => x);
const options = (o: object) => () => new Consecutor(p, o);
const process = (x: number) => x;

/** The message of what `f` throws. */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('an option error shows the value given, readably', () => {
  it.each([
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [NaN, 'NaN'],
    [10n, '10n'],
    [Symbol('ten'), 'Symbol(ten)'],
    [function ten() {}, '[function ten]'],
    [null, 'null'],
    [[10], 'array [10]'],
    ['10', 'string "10"'],
    [{ n: Infinity, f: () => 1 }, 'object {"n":"Infinity","f":"[function f]"}'],
  ])('%s', (value, shown) => {
    expect(thrown(options({ maxPending: value }))).toMatch(/^Consecutor option maxPending must be (a finite|an) integer >= 1, got /);
    expect(thrown(options({ maxPending: value })).endsWith(`, got ${shown}`)).toBe(true);
  });

  it('says "undefined" once for a missing value', async () => {
    expect(() => node('n', {} as never)).toThrow(/^node "n": process must be a function, got undefined$/);
    expect(() => map(undefined as never)).toThrow(/^map\(\): fn must be a function, got undefined$/);
    await expect(new Consecutor(p).run(undefined as never)).rejects.toThrow(/an Observable, got undefined$/);
    expect(() => chunk(Infinity)).toThrow(/^chunk\(\): expected a batch size \(an integer >= 1\) or a key function, got Infinity$/);
  });

  it('Infinity is no timeout: every item and every node call has a deadline, so it must be finite', () => {
    expect(options({ timeoutMs: Infinity })).toThrow(
      'Consecutor option timeoutMs must be a finite integer from 1 to 2147483647 (ms; the longest a Node.js timer waits), got Infinity',
    );
    expect(() => node('n', { process, timeoutMs: Infinity })).toThrow(
      'node "n": timeoutMs must be a finite integer from 1 to 2147483647 (ms; the longest a Node.js timer waits), got Infinity',
    );
    expect(() => node('n', { process, concurrency: Infinity })).toThrow('node "n": concurrency must be a finite integer >= 1, got Infinity');
    expect(() => offload('./x.js', { batch: Infinity })).toThrow('offload(): batch must be a finite integer >= 1, got Infinity');
  });

  it('a timeout longer than a Node.js timer takes is refused: it would fire at once', () => {
    expect(options({ timeoutMs: 2 ** 31 })).toThrow('Consecutor option timeoutMs must be an integer from 1 to 2147483647');
    expect(() => node('n', { process, timeoutMs: 2 ** 31 })).toThrow('node "n": timeoutMs must be an integer from 1 to 2147483647');
    expect(() => new Consecutor(p, { timeoutMs: 2 ** 31 - 1 })).not.toThrow();
  });
});

describe('retries', () => {
  it.each(['none', 'confirm', 'track'] as const)("is refused under guarantee '%s': only 'replay' replays", (guarantee) => {
    expect(options({ guarantee, retries: 2 })).toThrow(
      `Consecutor option retries has no effect under guarantee '${guarantee}': items are replayed only under 'replay'`,
    );
  });

  it("is refused without a guarantee, whose default is 'track'", () => {
    expect(options({ retries: 0 })).toThrow("retries has no effect under guarantee 'track' (the default): items are replayed only under 'replay'");
  });

  it("is taken under 'replay', and a node's own retries under any guarantee", () => {
    expect(options({ guarantee: 'replay', retries: 0 })).not.toThrow();
    expect(() => new Consecutor(node('n', { process, retries: 2 }), { guarantee: 'confirm' })).not.toThrow();
  });
});

describe('a bad pipeline or output container says what it got', () => {
  it('shows undefined once, not "undefined undefined"', () => {
    expect(thrown(() => new Consecutor(undefined as never))).toMatch(/got undefined$/);
    expect(thrown(() => new Consecutor(p, { outputs: { rows: undefined as never } }))).toMatch(/outputs\.rows must have an append\(\) or a push\(\) method, got undefined$/);
  });
});

describe('a store opened without a directory says what it got', () => {
  it('openStore and openStoreReadOnly', async () => {
    const { openStore, openStoreReadOnly } = await import('consecution');
    expect(thrown(() => openStore(undefined as never))).toBe('openStore(): expected a directory path, got undefined');
    expect(thrown(() => openStoreReadOnly((() => 1) as never))).toMatch(/^openStoreReadOnly\(\): expected a directory path, got \[function/);
  });
});
