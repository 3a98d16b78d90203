import type { Anchor, FailureInfo } from '../envelope/envelope.js';

/**
 * The anchor of envelopes that belong to no input item: every envelope under `guarantee: 'none'`,
 * and values made from state (a reduce's result, what `end()` pushes). Acks cost nothing;
 * failures are still counted and reported.
 */
export class UntrackedAnchor implements Anchor {
  readonly tracked = false;
  private readonly onFail: (failure: FailureInfo) => void;

  constructor(onFail: (failure: FailureInfo) => void) {
    this.onFail = onFail;
  }

  live(): boolean {
    return true;
  }

  ackEdge(): void {}

  addEdge(): void {}

  failAnchor(failure: FailureInfo): void {
    this.onFail(failure);
  }

  park(): void {}

  unpark(): void {}

  credit(): void {}

  belongsTo(): boolean {
    return false;
  }
}
