import { preview } from '../errors.js';
import { lossOf, type Loss } from './crossing.js';
import type { Results } from './protocol.js';

/** The code of the warning {@link UnclonableWatch} emits. */
export const UNCLONABLE = 'CONSECUTION_UNCLONABLE';

/** Values looked at one by one; after them, one in EVERY: the items of a stream are alike. */
const FIRST = 1_000;
const EVERY = 100;

/**
 * Watches what an offloaded node running inline (`sync` mode) is given and pushes, for values that
 * would not cross to a worker unchanged (see {@link lossOf}): inline nothing is copied, so they
 * pass, and switching to `thread` or `process` would change the result. It warns once, with
 * `process.emitWarning` and the code {@link UNCLONABLE}, naming the node, the item and what would
 * not cross; then it stops looking. It looks at each of the first 1,000 values, then at one in
 * 100: a check costs about what a clone does, and inline mode is meant to be fast.
 *
 * @example
 * ```ts
 * process.on('warning', (w) => { if ((w as { code?: string }).code === 'CONSECUTION_UNCLONABLE') console.error(w.message); });
 * ```
 */
export class UnclonableWatch {
  private warned = false;
  private looked = 0;

  constructor(private readonly node: string) {}

  /** The items of a batch, before the node sees them (it may change them). */
  given(values: ArrayLike<unknown>): void {
    // A batch of numbers only travels as a Float64Array: nothing to look at.
    if (this.warned || ArrayBuffer.isView(values)) return;
    for (let i = 0; i < values.length; i++) {
      const loss = this.check(values[i]);
      if (loss !== undefined) return this.warn(`item ${preview(values[i])}`, loss, 'the item would fail with BAD_INPUT');
    }
  }

  /** What the items of a batch pushed. */
  pushed(values: ArrayLike<unknown>, results: Results): void {
    if (this.warned || ArrayBuffer.isView(results.outs)) return;
    const { counts, outs } = results;
    for (let i = 0, at = 0; i < values.length; i++) {
      const n = counts === undefined ? 1 : counts[i]!;
      for (let j = at; j < at + n; j++) {
        const loss = this.check(outs[j]);
        if (loss !== undefined) return this.warn(`value item ${preview(values[i])} pushed`, loss, 'the item would fail with NODE_FAILED');
      }
      if (n > 0) at += n;
    }
  }

  /** What end() pushed. */
  ended(outs: readonly unknown[]): void {
    if (this.warned) return;
    for (const v of outs) {
      const loss = lossOf(v);
      if (loss !== undefined) return this.warn('value end() pushed', loss, 'it would be lost and the run would report NODE_FAILED');
    }
  }

  /** The loss of a value, if it is one of those looked at. */
  private check(v: unknown): Loss | undefined {
    this.looked++;
    return this.looked <= FIRST || this.looked % EVERY === 0 ? lossOf(v) : undefined;
  }

  private warn(subject: string, loss: Loss, failure: string): void {
    this.warned = true;
    const outcome = loss.fails ? `, so ${failure}` : '';
    process.emitWarning(
      `node "${this.node}" runs inline (mode 'sync'), where nothing is copied; in a worker (mode 'thread' or 'process') the ${subject} would not cross unchanged: ${loss.what}${outcome}. (Warned once for this node in this run.)`,
      { type: 'ConsecutionWarning', code: UNCLONABLE },
    );
  }
}
