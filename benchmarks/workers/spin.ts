// The CPU-bound step of the offload-cpu scenario, shared by the inline variants and the worker module.

/** Rounds of integer hashing per item: about 20 µs on the 2-vCPU EPYC the README's results come from. */
export const ROUNDS = 14_000;

/** Pure integer math, about 20 µs per call; 0 ≤ result < 65,536 (so a sum of 200,000 is exact). */
export function spin(x: number): number {
  let h = x | 0;
  for (let i = 0; i < ROUNDS; i++) {
    h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
    h = (h + i) | 0;
  }
  return h & 0xffff;
}
