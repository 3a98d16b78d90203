import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Fifo } from '../../src/worker/fifo.js';

describe('Fifo', () => {
  it('gives items back in the order they went in, across wrap-arounds and growth (property)', () => {
    // Each step pushes (a number) or takes (null); the model is a plain array.
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.constant(null)), { maxLength: 300 }), (steps) => {
        const q = new Fifo<number>();
        const model: number[] = [];
        for (const step of steps) {
          if (step === null) expect(q.take()).toBe(model.shift());
          else {
            q.push(step);
            model.push(step);
          }
          expect(q.size).toBe(model.length);
        }
        expect(q.drain()).toEqual(model);
        expect(q.size).toBe(0);
        expect(q.take()).toBeUndefined();
      }),
    );
  });
});
