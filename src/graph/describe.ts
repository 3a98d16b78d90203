import { Observable } from 'rxjs';
import type { Node } from '../envelope/envelope.js';
import { DetachedStageContext, withStageContext, type OrderView } from '../stage/stage-context.js';
import { discardingWriter, type OutputWriter } from '../outputs/writer.js';
import { stageOf } from '../stage/stage.js';
import { UntrackedAnchor } from '../acker/untracked.js';
import type { NodeStats } from '../stage/stats.js';

/** One node of a pipeline's graph. */
export interface GraphNode {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

/** One edge; `label` names a branch of a route. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** A pipeline's graph: `input` and `end` are the run's source and the pipeline's end. */
export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

/** Builds a pipeline only to look at it: stages behave as if tracked, outputs accept anything. */
class DescribeHost extends DetachedStageContext {
  override readonly guarantee = 'confirm';
  override readonly untracked = new UntrackedAnchor(() => {});

  override order(): OrderView {
    return { pending: () => false, nextId: () => 0, onSettle: () => {} };
  }

  override output(): OutputWriter {
    return discardingWriter;
  }
}

/**
 * The graph of a pipeline: its nodes (names as in metrics and errors, kinds) and edges, for
 * drawing ({@link toMermaid}) and for reading metrics against. Builds the pipeline without
 * running it.
 *
 * @example
 * ```ts
 * const g = describe(pipe(map(parse), broadcast(toFile, toCollector)));
 * console.log(toMermaid(g));
 * ```
 */
export function describe(pipeline: Node<never, unknown>): Graph {
  const probe = new Observable<never>();
  const out = withStageContext(new DescribeHost(), () => pipeline(probe));
  const nodes: GraphNode[] = [{ id: 'input', name: 'input', kind: 'source' }];
  const edges: GraphEdge[] = [];
  const ids = new Map<NodeStats, string>();
  const idOf = (s: NodeStats) => {
    let id = ids.get(s);
    if (id === undefined) {
      id = `n${ids.size + 1}`;
      ids.set(s, id);
      nodes.push({ id, name: s.name, kind: s.kind });
    }
    return id;
  };
  // Walks back from `obs` to `start`; returns the ids of the last nodes (those that feed what follows).
  const walk = (obs: Observable<unknown>, start: Observable<unknown>, startIds: readonly string[]): string[] => {
    if (obs === start) return [...startIds];
    const info = stageOf(obs);
    const upstream = info?.upstream ?? (obs as { source?: Observable<unknown> }).source;
    if (upstream === undefined) {
      const id = `n${ids.size + 1}_opaque`;
      nodes.push({ id, name: 'rxjs', kind: 'opaque' });
      return [id];
    }
    let feeds = walk(upstream, start, startIds);
    const stages = info?.nodes ?? [];
    for (const s of stages) {
      const id = idOf(s);
      for (const f of feeds) edges.push({ from: f, to: id });
      feeds = [id];
    }
    if (info === undefined) {
      const id = `rx${nodes.length}`;
      nodes.push({ id, name: 'rxjs', kind: 'rxjs' });
      for (const f of feeds) edges.push({ from: f, to: id });
      feeds = [id];
    }
    if (info?.branches !== undefined) {
      const fan = feeds;
      const ends: string[] = [];
      for (const b of info.branches) {
        const before = edges.length;
        const last = walk(b.output, b.input, fan);
        // Label the first edge of each branch with the branch's name.
        const first = edges.findIndex((e, i) => i >= before && fan.includes(e.from));
        if (first >= 0) edges[first] = { ...edges[first]!, label: b.label };
        ends.push(...last.filter((id) => !fan.includes(id)));
      }
      feeds = ends;
    }
    return feeds;
  };
  const last = walk(out, probe, ['input']);
  nodes.push({ id: 'end', name: 'end', kind: 'end' });
  for (const f of last) edges.push({ from: f, to: 'end' });
  return { nodes, edges };
}
