import { describe, expect, it } from 'vitest';
import { suggest } from '../../src/stage/suggest.js';

const keys = ['name', 'concurrency', 'timeoutMs', 'retries', 'process', 'end'];

describe('suggest (the "did you mean" of an unknown option)', () => {
  it('finds the key one or two edits away: a letter left out, added, changed, or two swapped', () => {
    expect(suggest('concurency', keys)).toBe('concurrency');
    expect(suggest('retriess', keys)).toBe('retries');
    expect(suggest('timeoutMS', keys)).toBe('timeoutMs');
    expect(suggest('tiemoutMs', keys)).toBe('timeoutMs');
    expect(suggest('proccess', keys)).toBe('process');
    expect(suggest('timeout', keys)).toBe('timeoutMs');
  });

  it('suggests nothing for a word far from every key, or too short for two edits to mean anything', () => {
    expect(suggest('colour', keys)).toBeUndefined();
    expect(suggest('id', keys)).toBeUndefined();
    expect(suggest('ed', keys)).toBeUndefined();
    expect(suggest('', keys)).toBeUndefined();
    expect(suggest('concurrency', [])).toBeUndefined();
  });

  it('takes the closest key when several are near', () => {
    expect(suggest('retires', ['retriess', 'retries'])).toBe('retries');
    expect(suggest('maxPendng', ['maxPendings', 'maxPending'])).toBe('maxPending');
  });
});
