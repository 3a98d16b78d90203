import type { Envelope } from './envelope.js';

// A 1:k split (flatMap, broadcast) must XOR all k child edges into the anchor BEFORE it emits any
// child: a child acked synchronously downstream could otherwise bring the XOR to 0 too early.
// Child i's edge is a hash of the parent's edge, the stage's random salt and i, so the edges can be
// applied in one pass and recomputed while emitting, with nothing stored and nothing allocated.
// Being derived, not drawn, an edge also names the copy's path through the graph: the same in every
// attempt of an item, which lets stateful nodes recognise a copy they already folded (StateCell).
// Stale acks of an earlier attempt are told apart by the attempt number, not by the edge.

/** murmur3's 32-bit finaliser: a well-mixed hash of `h`. */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** A stage's salt and the seed of the split in progress (callers keep one per stage). */
export interface SplitSeed {
  readonly salt: number;
  hi: number;
  lo: number;
}

/**
 * A stage's seed. Its salt is a hash of the stage's name, not a random draw: a restarted process
 * must derive the same edges for the same paths, or a stateful node would not recognise a copy it
 * folded before the restart. Names are unique within a pipeline (the registry sees to it).
 */
export function newSeed(name: string): SplitSeed {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return { salt: fmix(h), hi: 0, lo: 0 };
}

/** Seeds a split of the parent edge (hi, lo) at this stage; `extra` tells apart tries of one item. */
export function seedFrom(seed: SplitSeed, hi: number, lo: number, extra = 0): void {
  seed.hi = fmix(hi ^ seed.salt ^ Math.imul(extra, 0x27d4eb2f));
  seed.lo = fmix(lo ^ Math.imul(seed.salt, 0x165667b1) ^ extra);
}

export function childHi(seed: SplitSeed, i: number): number {
  return fmix(seed.hi ^ Math.imul(i, 0x9e3779b9));
}

export function childLo(seed: SplitSeed, i: number): number {
  return fmix(seed.lo ^ Math.imul(i, 0x7f4a7c15)) | 1;
}

/**
 * Prepares a split of `parent` into k children. Child 0 keeps the parent's edge (and may reuse the
 * parent envelope); children 1..k-1 get edges that are XORed into the anchor now, in one update.
 * With k = 0 the parent is acked.
 */
export function split(parent: Envelope<unknown>, k: number, seed: SplitSeed): void {
  const anchor = parent.anchor;
  if (k === 0) {
    anchor.ackEdge(parent.hi, parent.lo, parent.attempt);
    return;
  }
  if (k === 1 || !anchor.tracked) return;
  seedFrom(seed, parent.hi, parent.lo);
  let hi = 0;
  let lo = 0;
  for (let i = 1; i < k; i++) {
    hi ^= childHi(seed, i);
    lo ^= childLo(seed, i);
  }
  anchor.addEdge(hi, lo, parent.attempt);
}
