/** Counts of one node in one run. `acked` counts items the node consumed (dropped, folded, written). */
export interface NodeStats {
  readonly name: string;
  readonly kind: string;
  received: number;
  emitted: number;
  acked: number;
  failed: number;
  inFlight: number;
}

export function newStats(name: string, kind: string): NodeStats {
  return { name, kind, received: 0, emitted: 0, acked: 0, failed: 0, inFlight: 0 };
}
