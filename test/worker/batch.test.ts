import { describe, expect, it } from 'vitest';
import { Envelope } from '../../src/envelope/envelope.js';
import { UntrackedAnchor } from '../../src/acker/untracked.js';
import { Batch } from '../../src/worker/batch.js';

const anchor = new UntrackedAnchor(() => {});
const env = (value: unknown, attempt: number) => new Envelope(value, anchor, 0, 1, attempt);

describe('Batch', () => {
  it('sends no attempts while every item is on its first, and all of them once one is not', () => {
    const b = new Batch(8);
    b.add(env(1, 0));
    b.add(env(2, 0));
    expect(b.message().attempts).toBeUndefined();
    b.add(env(3, 2));
    b.add(env(4, 0));
    expect(b.message()).toMatchObject({ t: 'batch', attempts: [0, 0, 2, 0] });
    expect(Array.from(b.message().values)).toEqual([1, 2, 3, 4]);
    expect(b.size).toBe(4);
  });

  it('is empty again after clear(), its envelopes let go', () => {
    const b = new Batch(2);
    b.add(env('a', 1));
    b.add(env('b', 0));
    expect(b.size).toBe(b.capacity);
    b.clear();
    expect([b.size, b.envs[0], b.envs[1]]).toEqual([0, undefined, undefined]);
    b.add(env(7, 0));
    expect(b.message()).toMatchObject({ attempts: undefined });
    expect(Array.from(b.message().values)).toEqual([7]);
  });
});
