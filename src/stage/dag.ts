import type { Observable } from 'rxjs';
import type { Envelope, Node } from '../envelope/envelope.js';
import { newSeed } from '../envelope/split.js';
import { ConsecutionError } from '../errors.js';
import { Fork, RouteFork } from './dag-fork.js';
import { connect, Guarded, Linkable, type Sink, type Teardown } from './link.js';
import { stageContext } from './stage-context.js';
import { markBranchInput, markStage, type SegmentInfo } from './stage.js';
import type { NodeStats } from './stats.js';

/** One node of a {@link dag}: its pipeline and the segments it reads (-1: the dag's own input). */
export interface DagSegment {
  /** Its name: where its edges are seeded (unique within the dag) and how errors name it. */
  readonly name: string;
  /** Its pipeline (absent for a route: see `pick`). */
  readonly node?: Node<any, unknown>;
  /** Indices of earlier segments, or -1 for the dag's input; several: the merge of their streams. */
  readonly parents: readonly number[];
  /**
   * Makes the segment a route (instead of a `node`): each item goes to the one child whose
   * name `pick(item)` returns (or the child named `default`); an item that names no child fails
   * with ROUTE_UNMATCHED.
   */
  readonly pick?: (value: any) => string | number;
}

/**
 * A pipeline shaped as any directed acyclic graph: each segment reads the merge of its parents'
 * outputs; a segment (or the input) with several children sends each of them every item, split as
 * `broadcast` splits it (one acker update, each copy its own edge); what the leaves emit is the
 * dag's output. Segments come in topological order (parents before children). Built for pipelines
 * from files, where a node names its parents; in code, `broadcast` and `route` say the same.
 *
 * @example
 * ```ts
 * // input -> parse -> (big, audit); big -> rows; audit -> rows: rows reads the merge of both
 * declare const parse: Node<string, { n: number }>;
 * declare const big: Node<{ n: number }, { n: number }>;
 * declare const audit: Node<{ n: number }, { n: number }>;
 * const p = dag('orders', [
 *   { name: 'parse', node: parse, parents: [-1] },
 *   { name: 'big', node: big, parents: [0] },
 *   { name: 'audit', node: audit, parents: [0] },
 *   { name: 'rows', node: output('rows'), parents: [1, 2] },
 * ]);
 * ```
 */
export function dag<I, O>(name: string, segments: readonly DagSegment[]): Node<I, O> {
  segments.forEach((s, i) => {
    if (s.parents.length === 0 || s.parents.some((p) => !Number.isInteger(p) || p < -1 || p >= i)) {
      throw new ConsecutionError('PIPELINE_ERROR', `dag ${name}: segment ${s.name} must read earlier segments (or -1, the input), got parents [${s.parents.join(', ')}]`);
    }
    if ((s.node === undefined) === (s.pick === undefined)) throw new ConsecutionError('PIPELINE_ERROR', `dag ${name}: segment ${s.name} needs a node or a pick (a route), not ${s.node === undefined ? 'neither' : 'both'}`);
  });
  // children[i + 1]: the segments reading segment i (children[0]: those reading the input).
  const children: number[][] = [[], ...segments.map(() => [])];
  segments.forEach((s, i) => s.parents.forEach((p) => children[p + 1]!.push(i)));
  const leaves = segments.flatMap((_, i) => (children[i + 1]!.length === 0 ? [i] : []));
  const seeds = [newSeed(`${name}/input`), ...segments.map((s) => newSeed(`${name}/${s.name}`))];
  return (source) => {
    let connecting: (Sink<Envelope<unknown>> | undefined)[] | undefined;
    const infos: SegmentInfo[] = [];
    const outputs: Observable<Envelope<unknown>>[] = [];
    const routes: (NodeStats | undefined)[] = [];
    segments.forEach((s, i) => {
      const input = new Linkable<Envelope<unknown>>((sub) => {
        if (connecting === undefined || connecting[i] !== undefined) {
          throw new ConsecutionError('PIPELINE_ERROR', `dag ${name}: ${s.name} subscribed its input twice`, { node: s.name });
        }
        connecting[i] = sub;
      });
      markBranchInput(input);
      const stats = s.pick === undefined ? undefined : stageContext().register('route', s.name);
      routes.push(stats);
      const output = stats === undefined ? s.node!(input) : passing(input, stats);
      outputs.push(output);
      infos.push({ label: s.name, input, output, parents: s.parents });
    });
    const out = new Linkable<Envelope<O>>((downstream) => {
      const merged = new Guarded(downstream, leaves.length);
      const inputs: (Sink<Envelope<unknown>> | undefined)[] = [];
      // Each segment's outgoing edge: filled with its children's joins once every input is known.
      const edges = [undefined, ...segments].map((s, i) => {
        const stats = routes[i - 1];
        return stats === undefined ? new Fork(seeds[i]!) : new RouteFork(stats, s!.pick!, children[i]!.map((c) => segments[c]!.name));
      });
      const stops: Teardown[] = [];
      const stop = () => {
        merged.closed = true;
        for (const s of stops) s();
      };
      connecting = inputs;
      try {
        outputs.forEach((o, i) => stops.push(connect(o, edges[i + 1]!)));
      } finally {
        connecting = undefined;
      }
      const missing = segments.findIndex((_, i) => inputs[i] === undefined);
      if (missing >= 0) {
        merged.error(new ConsecutionError('PIPELINE_ERROR', `dag ${name}: ${segments[missing]!.name} does not read its input`, { node: segments[missing]!.name }));
        return stop;
      }
      const joins = segments.map((s, i) => new Guarded(inputs[i]!, s.parents.length));
      edges.forEach((e, i) => e.to(children[i]!.length === 0 ? [merged] : children[i]!.map((c) => joins[c]!)));
      stops.push(connect(source as Observable<Envelope<unknown>>, edges[0]!));
      return stop;
    });
    return markStage(out, { nodes: [], upstream: source, segments: infos });
  };
}

/** A route segment's own stage: it passes items on (its fork routes them), and is the route in describe(). */
function passing(input: Observable<Envelope<unknown>>, stats: NodeStats): Observable<Envelope<unknown>> {
  const out = new Linkable<Envelope<unknown>>((sink) => connect(input, sink));
  return markStage(out, { nodes: [stats], upstream: input });
}
