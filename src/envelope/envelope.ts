import type { OperatorFunction } from 'rxjs';

/**
 * What an envelope is anchored to: a root (an input item) or a group (a batch made of several
 * envelopes). An anchor keeps the XOR of its outstanding edges; it is complete when that is 0.
 */
export interface Anchor {
  /** Acks one edge of this anchor (XORs it out). */
  ackEdge(hi: number, lo: number, attempt: number): void;
  /** Adds one edge (XORs it in): a new child envelope. */
  addEdge(hi: number, lo: number, attempt: number): void;
  /** Fails the anchor: the whole tree it belongs to has failed. */
  failAnchor(failure: FailureInfo, attempt: number): void;
  /** Whether an envelope of this attempt still counts: false once its tree failed or settled. */
  live(attempt: number): boolean;
  /**
   * An envelope of this attempt starts waiting (for a node's free lane, in a reorder buffer, for a
   * worker): until the matching {@link unpark}, the time does not count toward its root's timeoutMs.
   */
  park(attempt: number): void;
  /** The envelope that {@link park} announced stops waiting. */
  unpark(attempt: number): void;
  /**
   * Gives an envelope of this attempt `ms` back: time that counted toward its root's timeoutMs and
   * should not have (a worker hung on another item of its batch). The untracked anchor ignores it.
   */
  credit(ms: number, attempt: number): void;
  /** Whether this anchor is `root` or is made of it (a batch with an item of it). */
  belongsTo(root: Anchor): boolean;
  /** False for the untracked anchor of untracked envelopes. */
  readonly tracked: boolean;
}

/** What a failure says: which node, which error. The item comes from the envelope. */
export interface FailureInfo {
  readonly node: string;
  readonly error: unknown;
  /** The value the failing node saw. */
  readonly value: unknown;
}

/**
 * An item in flight inside a tracked pipeline: its value and what it descends from.
 *
 * One shape for every envelope (all fields set in the constructor, in one order) so the hot
 * path stays monomorphic. An envelope has exactly one owner at a time: the stage that holds it.
 * A 1:1 stage may therefore replace `value` in place and pass the same envelope on.
 */
export class Envelope<T> {
  value: T;
  /** The root or group this envelope's edge belongs to. */
  anchor: Anchor;
  /** The 64-bit edge id, high half. */
  hi: number;
  /** The 64-bit edge id, low half (odd: never zero). */
  lo: number;
  /** The attempt of the root this envelope was made for; stale attempts are ignored. */
  attempt: number;

  constructor(value: T, anchor: Anchor, hi: number, lo: number, attempt: number) {
    this.value = value;
    this.anchor = anchor;
    this.hi = hi;
    this.lo = lo;
    this.attempt = attempt;
  }
}

/**
 * A processing node: a typed RxJS operator over envelopes. Every operator of consecution is
 * one, so `pipe(a, b, c)` from rxjs composes them and the types flow through.
 *
 * @example
 * ```ts
 * import { pipe } from 'rxjs';
 * import { map, type Node } from 'consecution';
 * const p: Node<number, string> = pipe(map((x: number) => x * 2), map(String));
 * ```
 */
export type Node<I, O> = OperatorFunction<Envelope<I>, Envelope<O>>;

/** The output type of a node. */
export type OutputOf<N> = N extends Node<never, infer O> ? O : never;

/** The input type of a node. */
export type InputOf<N> = N extends Node<infer I, unknown> ? I : never;
