import type { Anchor, Envelope, FailureInfo } from '../envelope/envelope.js';

/**
 * The anchor of a many-to-one output (a chunk, a join): completes when its own edges are all
 * acked, and then acks every envelope it was made of; failing it fails them all. A tree of
 * accumulators instead of one new edge per (child, root) pair keeps a batch's cost O(k + m).
 * The XOR bookkeeping is written out here and in Root rather than shared through a base class:
 * the virtual completion call that sharing needs sits on the per-item path and cost about a fifth
 * of W1's throughput at the `confirm` level when measured.
 */
export class BatchAnchor implements Anchor {
  readonly tracked = true;
  /** The envelopes it was made of, in order: they also make its copies' idempotency keys (outputs/meta.ts). */
  readonly parts: readonly Envelope<unknown>[];
  private xorHi = 0;
  private xorLo = 0;
  private attempt = 0;

  constructor(parts: readonly Envelope<unknown>[]) {
    this.parts = parts;
  }

  /** Live while some item of the batch is: a batch whose items all failed elsewhere is abandoned. */
  live(attempt: number): boolean {
    return attempt === this.attempt && this.parts.some((p) => p.anchor.live(p.attempt));
  }

  ackEdge(hi: number, lo: number, attempt: number): void {
    if (attempt !== this.attempt) return;
    this.xorHi ^= hi;
    this.xorLo ^= lo;
    if (this.xorHi === 0 && this.xorLo === 0) {
      this.attempt = -1;
      for (const p of this.parts) p.anchor.ackEdge(p.hi, p.lo, p.attempt);
    }
  }

  addEdge(hi: number, lo: number, attempt: number): void {
    if (attempt !== this.attempt) return;
    this.xorHi ^= hi;
    this.xorLo ^= lo;
  }

  failAnchor(failure: FailureInfo, attempt: number): void {
    if (attempt !== this.attempt) return;
    this.attempt = -1;
    for (const p of this.parts) p.anchor.failAnchor(failure, p.attempt);
  }

  /** A waiting batch: every item of it waits. */
  park(attempt: number): void {
    if (attempt !== this.attempt) return;
    for (const p of this.parts) p.anchor.park(p.attempt);
  }

  unpark(attempt: number): void {
    if (attempt !== this.attempt) return;
    for (const p of this.parts) p.anchor.unpark(p.attempt);
  }

  credit(ms: number, attempt: number): void {
    if (attempt !== this.attempt) return;
    for (const p of this.parts) p.anchor.credit(ms, p.attempt);
  }

  belongsTo(root: Anchor): boolean {
    return root === this || this.parts.some((p) => p.anchor.belongsTo(root));
  }
}

