import type { Observable } from 'rxjs';
import type { Envelope, Node } from '../envelope/envelope.js';
import { ConsecutionError } from '../errors.js';
import { stageContext, type StageContext } from './stage-context.js';
import { connect, Guarded, Linkable, type Sink, type Teardown } from './link.js';
import { markBranchInput, markStage } from './stage.js';
import type { NodeStats } from './stats.js';

/** Delivers one input envelope to the branches' inputs (`branches[i].next(...)`). */
export type Deliver<I> = (env: Envelope<I>, branches: readonly Sink<Envelope<I>>[]) => void;

/**
 * The {@link operate} of broadcast and route: registers the node, calls `build(ctx, stats)` for
 * the function that delivers each item, builds each branch once on its own input and merges their
 * outputs. Per subscription it subscribes every branch BEFORE it subscribes the source (a
 * multicast that connects last, like RxJS `connect()`), so a one-shot synchronous source is read
 * once and no branch misses its first items.
 *
 * @example
 * ```ts
 * const first = (branches: Node<number, number>[]) =>
 *   fanOut('first', undefined, branches, ['a', 'b'], (_ctx, stats) => (env, subs) => {
 *     stats.received++;
 *     stats.emitted++;
 *     subs[0]!.next(env);
 *   });
 * ```
 */
export function fanOut<I, O>(
  kind: string,
  name: string | undefined,
  branches: readonly Node<I, O>[],
  labels: readonly string[],
  build: (ctx: StageContext, stats: NodeStats) => Deliver<I>,
): Node<I, O> {
  return (source) => {
    const ctx = stageContext();
    const stats = ctx.register(kind, name);
    const deliver = build(ctx, stats);
    let connecting: Sink<Envelope<I>>[] | undefined;
    const inputs: Observable<Envelope<I>>[] = [];
    const outputs: Observable<Envelope<O>>[] = [];
    // Each input is made just before its branch is built on it: describe() relies on that order.
    branches.forEach((b, i) => {
      const input = new Linkable<Envelope<I>>((sub) => {
        if (connecting === undefined || connecting[i] !== undefined) {
          throw new ConsecutionError('PIPELINE_ERROR', `${stats.name}: branch "${labels[i]}" subscribed its input twice`, {
            node: stats.name,
          });
        }
        connecting[i] = sub;
      });
      inputs.push(markBranchInput(input));
      outputs.push(b(input));
    });
    const out = new Linkable<Envelope<O>>((downstream) => {
      // The branches' outputs merged: the stage completes when every branch has.
      const merged = new Guarded(downstream, outputs.length);
      const subs: Sink<Envelope<I>>[] = [];
      const stops: Teardown[] = [];
      const stop = () => {
        merged.closed = true;
        for (const s of stops) s();
      };
      connecting = subs;
      try {
        for (const o of outputs) stops.push(connect(o, merged));
      } finally {
        connecting = undefined;
      }
      for (let i = 0; i < branches.length; i++) {
        if (subs[i] === undefined) {
          merged.error(
            new ConsecutionError('PIPELINE_ERROR', `${stats.name}: branch "${labels[i]}" does not read its input`, {
              node: stats.name,
            }),
          );
          return stop;
        }
      }
      stops.push(
        connect(source, {
          next: (env) => deliver(env, subs),
          error: (e: unknown) => {
            for (const s of subs) s.error(e);
          },
          complete: () => {
            for (const s of subs) s.complete();
          },
        }),
      );
      return stop;
    });
    return markStage(out, {
      nodes: [stats],
      upstream: source,
      branches: labels.map((label, i) => ({ label, input: inputs[i]!, output: outputs[i]! })),
    });
  };
}
