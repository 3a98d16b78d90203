/** Counts of one node in one run. `acked` counts items the node consumed (dropped, folded, written). */
export interface NodeStats {
  readonly name: string;
  readonly kind: string;
  received: number;
  emitted: number;
  acked: number;
  failed: number;
  inFlight: number;
  /** Offloaded nodes: workers that died or were stopped as hung (each replaced while there is work). */
  crashes?: number;
}

/**
 * What entered a fused chain of 1:1 steps. The steps count only what they drop or fail; their
 * received and emitted counts are derived from this when a snapshot is taken, so the hot loop
 * pays one increment per item instead of two per step.
 */
export interface ChainCount {
  entered: number;
  readonly steps: readonly NodeStats[];
}

/** Sets each step's received/emitted from what entered the chains (several subscriptions add up). */
export function deriveCounts(chains: readonly ChainCount[]): void {
  for (const c of chains) for (const s of c.steps) s.received = s.emitted = 0;
  for (const c of chains) {
    let n = c.entered;
    for (const s of c.steps) {
      s.received += n;
      n -= s.acked + s.failed;
      s.emitted += n;
    }
  }
}

export function newStats(name: string, kind: string): NodeStats {
  return { name, kind, received: 0, emitted: 0, acked: 0, failed: 0, inFlight: 0 };
}
