import { Observable } from 'rxjs';
import { Envelope, type Anchor, type FailureInfo, type Node } from '../envelope/envelope.js';

/**
 * An anchor that records what happens to the envelopes made on it, for testing one operator on a
 * plain Observable without a consecutor: how many edges were acked, added, and what failed.
 */
export class RecordingAnchor implements Anchor {
  readonly tracked = true;
  xorHi = 0;
  xorLo = 0;
  acks = 0;
  adds = 0;
  readonly failures: FailureInfo[] = [];

  live(): boolean {
    return this.failures.length === 0;
  }

  ackEdge(hi: number, lo: number): void {
    this.acks++;
    this.xorHi ^= hi;
    this.xorLo ^= lo;
  }

  addEdge(hi: number, lo: number): void {
    this.adds++;
    this.xorHi ^= hi;
    this.xorLo ^= lo;
  }

  failAnchor(failure: FailureInfo): void {
    this.failures.push(failure);
  }

  park(): void {}

  unpark(): void {}

  credit(): void {}

  belongsTo(root: Anchor): boolean {
    return root === this;
  }

  /** True when every edge ever given out has been acked: the tree is complete. */
  get complete(): boolean {
    return this.xorHi === 0 && this.xorLo === 0 && this.failures.length === 0;
  }
}

/**
 * Wraps values in envelopes anchored to one {@link RecordingAnchor} each (edge 1, as a root's first
 * edge), runs `node` over them as a plain Observable, and returns the output values with the
 * anchors, so a test can check that every input was acked or failed exactly as expected.
 *
 * @example
 * ```ts
 * const { values, anchors } = await runNode(filter((x: number) => x > 1), [1, 2]);
 * // values: [2]; anchors[0].complete: true (dropped = acked); anchors[1] waits for its output's ack
 * ```
 */
export async function runNode<I, O>(
  node: Node<I, O>,
  inputs: readonly I[],
  options: { ackOutputs?: boolean } = {},
): Promise<{ values: O[]; anchors: RecordingAnchor[] }> {
  const anchors = inputs.map(() => {
    const a = new RecordingAnchor();
    a.xorLo = 1;
    return a;
  });
  const input = new Observable<Envelope<I>>((s) => {
    inputs.forEach((v, i) => s.next(new Envelope(v, anchors[i]!, 0, 1, 0)));
    s.complete();
  });
  const values: O[] = [];
  await new Promise<void>((resolve, reject) =>
    node(input).subscribe({
      next: (env) => {
        values.push(env.value);
        if (options.ackOutputs !== false) env.anchor.ackEdge(env.hi, env.lo, env.attempt);
      },
      error: reject,
      complete: resolve,
    }),
  );
  return { values, anchors };
}
