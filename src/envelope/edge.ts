// Edge ids are 64-bit random values kept as two 32-bit halves. Math.random costs ~9 ns; an
// inline xorshift128 costs ~2 ns and is as good for XOR-acking: what matters is only that a
// set of distinct edges XORs to zero by accident with probability 2^-64.
// The state lives in a typed array: uint32 values above 2^30 stored in plain variables are
// boxed as heap numbers, which cost an allocation per write.

const state = new Uint32Array(4);
for (let i = 0; i < 4; i++) state[i] = (Math.random() * 0x100000000) >>> 0 || i + 1;

/** Next 32 random bits, as a signed int32. */
export function nextEdgeHalf(): number {
  const s = state[0]!;
  let t = state[3]!;
  state[3] = state[2]!;
  state[2] = state[1]!;
  state[1] = s;
  t ^= t << 11;
  t ^= t >>> 8;
  const r = t ^ s ^ (s >>> 19);
  state[0] = r;
  return r | 0;
}

/** The low half of an edge: odd, so that no edge is ever 0. */
export function nextEdgeLo(): number {
  return nextEdgeHalf() | 1;
}
