import { merge, Observable, type Subscriber } from 'rxjs';
import type { Envelope, Node } from '../envelope/envelope.js';
import { ConsecutionError } from '../errors.js';
import { markStage } from './stage.js';
import type { NodeStats } from './stats.js';

/** Delivers one input envelope to the branches' inputs (`branches[i].next(...)`). */
export type Deliver<I> = (env: Envelope<I>, branches: readonly Subscriber<Envelope<I>>[]) => void;

/**
 * The plumbing of broadcast and route: builds each branch once on its own input, merges their
 * outputs, and per subscription subscribes every branch BEFORE it subscribes the source (a
 * multicast that connects last, like RxJS `connect()`), so a one-shot synchronous source is read
 * once and no branch misses its first items.
 */
export function fanOut<I, O>(
  source: Observable<Envelope<I>>,
  stats: NodeStats,
  branches: readonly Node<I, O>[],
  labels: readonly string[],
  deliver: Deliver<I>,
): Observable<Envelope<O>> {
  let connecting: Subscriber<Envelope<I>>[] | undefined;
  const inputs = branches.map(
    (_, i) =>
      new Observable<Envelope<I>>((sub) => {
        if (connecting === undefined || connecting[i] !== undefined) {
          throw new ConsecutionError('PIPELINE_ERROR', `${stats.name}: branch "${labels[i]}" subscribed its input twice`, {
            node: stats.name,
          });
        }
        connecting[i] = sub;
      }),
  );
  const outputs = branches.map((b, i) => b(inputs[i]!));
  const merged = merge(...outputs);
  const out = new Observable<Envelope<O>>((subscriber) => {
    const subs: Subscriber<Envelope<I>>[] = [];
    connecting = subs;
    let inner;
    try {
      inner = merged.subscribe(subscriber);
    } finally {
      connecting = undefined;
    }
    for (let i = 0; i < branches.length; i++) {
      if (subs[i] === undefined) {
        subscriber.error(
          new ConsecutionError('PIPELINE_ERROR', `${stats.name}: branch "${labels[i]}" does not read its input`, {
            node: stats.name,
          }),
        );
        return inner;
      }
    }
    inner.add(
      source.subscribe({
        next: (env) => deliver(env, subs),
        error: (e: unknown) => {
          for (const s of subs) s.error(e);
        },
        complete: () => {
          for (const s of subs) s.complete();
        },
      }),
    );
    return inner;
  });
  return markStage(out, {
    nodes: [stats],
    upstream: source,
    branches: labels.map((label, i) => ({ label, input: inputs[i]!, output: outputs[i]! })),
  });
}
