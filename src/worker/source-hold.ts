import type { StageContext } from '../stage/stage-context.js';

/**
 * A pool's credit back to the source: while a full batch waits with every worker busy, the source
 * is held, so that items are not read (and kept in memory, and copied by every young-generation
 * GC) only to wait in the pool; maxPending still bounds the run as a whole. Results or a
 * restarted worker dispatch again, and so release it. Holds and releases only on a change.
 *
 * @example
 * ```ts
 * declare const [host]: ConstructorParameters<typeof SourceHold>;
 * const hold = new SourceHold(host);
 * hold.set(true);  // a full batch waits: the source is held
 * hold.set(false); // released
 * ```
 */
export class SourceHold {
  private holding = false;

  constructor(private readonly host: StageContext) {}

  set(saturated: boolean): void {
    if (saturated === this.holding) return;
    this.holding = saturated;
    if (saturated) this.host.holdSource();
    else this.host.releaseSource();
  }
}
