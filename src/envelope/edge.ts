// Edge ids are 64-bit random values kept as two uint32 halves. Math.random costs ~9 ns; an
// inline xorshift128 costs ~2 ns and is as good for XOR-acking: what matters is only that a
// set of distinct edges XORs to zero by accident with probability 2^-64.

let s0 = (Math.random() * 0x100000000) >>> 0 || 1;
let s1 = (Math.random() * 0x100000000) >>> 0 || 2;
let s2 = (Math.random() * 0x100000000) >>> 0 || 3;
let s3 = (Math.random() * 0x100000000) >>> 0 || 4;

/** Next 32 random bits, never all zero together with its pair (see {@link nextEdgeLo}). */
export function nextEdgeHalf(): number {
  let t = s3;
  const s = s0;
  s3 = s2;
  s2 = s1;
  s1 = s;
  t ^= t << 11;
  t ^= t >>> 8;
  s0 = (t ^ s ^ (s >>> 19)) >>> 0;
  return s0;
}

/** The low half of an edge: odd, so that no edge is ever 0. */
export function nextEdgeLo(): number {
  return (nextEdgeHalf() | 1) >>> 0;
}
