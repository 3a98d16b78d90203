import { Observable } from 'rxjs';
import type { Node } from '../envelope/envelope.js';
import { DetachedStageContext, withStageContext, type OrderView } from '../stage/stage-context.js';
import { discardingWriter, type OutputWriter } from '../outputs/writer.js';
import { recordStages, stageOf, type SegmentInfo } from '../stage/stage.js';
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
 * declare function parse(line: string): { id: number };
 * const g = describe(pipe(map(parse), broadcast(output('file'), output('collector'))));
 * console.log(toMermaid(g));
 * ```
 */
export function describe(pipeline: Node<never, unknown>): Graph {
  const probe = new Observable<never>();
  const { result: out, built: stages } = recordStages(() => withStageContext(new DescribeHost(), () => pipeline(probe)));
  // Everything built, in build order (the probe first), and what of it a stage reads.
  const built = [probe, ...stages];
  const at = new Map(built.map((o, i) => [o, i]));
  const read = new Set<Observable<unknown>>([out]);
  for (const o of built) {
    const info = stageOf(o);
    if (info === undefined) continue;
    read.add(info.upstream);
    for (const b of info.branches ?? info.segments ?? []) read.add(b.output);
  }
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
  /**
   * What feeds `obs`, an Observable that is no stage of ours (a plain RxJS operator, which does
   * not say what it reads): the last thing built before its reader (index `before`), in the
   * segment from `start` (index `from`), that no stage reads and that does not read `obs` itself.
   * Stages are built after what they read and after their branches, so that is the stage just
   * before the RxJS operator in the pipe, or the segment's start.
   */
  const feederOf = (obs: Observable<unknown>, from: number, before: number, start: Observable<unknown>): Observable<unknown> => {
    for (let i = before - 1; i >= from; i--) {
      const o = built[i]!;
      if (!read.has(o) && stageOf(o)?.upstream !== obs) return o;
    }
    return start;
  };
  // Where a stage's own building began: at its first branch's input, else where it was built.
  const beginOf = (obs: Observable<unknown>): number => {
    const info = stageOf(obs);
    const first = info?.branches?.[0] ?? info?.segments?.[0];
    return at.get(first?.input ?? obs) ?? built.length;
  };
  // Walks back from `obs` (read by what was built at `before`) to `start`, built at `from`;
  // returns the ids of the last nodes (those that feed what follows).
  const walk = (obs: Observable<unknown>, before: number, start: Observable<unknown>, from: number, startIds: readonly string[]): string[] => {
    if (obs === start) return [...startIds];
    const info = stageOf(obs);
    if (info === undefined) {
      const feeds = walk(feederOf(obs, from, before, start), before, start, from, startIds);
      const id = `rx${nodes.length}`;
      nodes.push({ id, name: 'rxjs', kind: 'rxjs' });
      for (const f of feeds) edges.push({ from: f, to: id });
      return [id];
    }
    const begin = beginOf(obs);
    let feeds = walk(info.upstream, begin, start, from, startIds);
    for (const s of info.nodes) {
      const id = idOf(s);
      for (const f of feeds) edges.push({ from: f, to: id });
      feeds = [id];
    }
    if (info.segments !== undefined) return walkSegments(obs, info.segments, feeds);
    if (info.branches === undefined) return feeds;
    const fan = feeds;
    const ends: string[] = [];
    info.branches.forEach((b, i) => {
      const before = edges.length;
      const input = at.get(b.input)!;
      const next = info.branches![i + 1];
      const last = walk(b.output, next === undefined ? at.get(obs)! : at.get(next.input)!, b.input, input, fan);
      // Label the first edge of each branch with the branch's name.
      const first = edges.findIndex((e, j) => j >= before && fan.includes(e.from));
      if (first >= 0) edges[first] = { ...edges[first]!, label: b.label };
      ends.push(...last.filter((id) => !fan.includes(id)));
    });
    return ends;
  };
  // A dag's segments in order, each fed by its parents' last nodes; returns the leaves' last nodes.
  const walkSegments = (obs: Observable<unknown>, segments: readonly SegmentInfo[], fan: readonly string[]): string[] => {
    const lasts: string[][] = [];
    segments.forEach((s, i) => {
      const feeds = [...new Set(s.parents.flatMap((p) => (p === -1 ? fan : lasts[p]!)))];
      const next = segments[i + 1];
      lasts.push(walk(s.output, next === undefined ? at.get(obs)! : at.get(next.input)!, s.input, at.get(s.input)!, feeds));
    });
    const leaves = lasts.filter((_, i) => !segments.some((s) => s.parents.includes(i)));
    return [...new Set(leaves.flat())];
  };
  const last = walk(out, built.length, probe, 0, ['input']);
  nodes.push({ id: 'end', name: 'end', kind: 'end' });
  for (const f of last) edges.push({ from: f, to: 'end' });
  return { nodes, edges };
}
