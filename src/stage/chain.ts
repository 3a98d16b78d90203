import type { Observable } from 'rxjs';
import type { Envelope } from '../envelope/envelope.js';
import { markStage } from './stage.js';
import type { ChainCount, NodeStats } from './stats.js';
import { stageContext } from './stage-context.js';
import { ackAt, failAt } from './fail.js';
import { connect, Linkable } from './link.js';

/** What a fusable 1:1 step does with its function's result: map, filter (drop unless true), check (fail unless true). */
export type StepOp = 'map' | 'filter' | 'check';

/** One fusable stage: map, filter or check. */
export interface Step {
  readonly op: StepOp;
  readonly fn: (value: unknown) => unknown;
  readonly stats: NodeStats;
  /** For checks: the failure to record when fn returns false. */
  readonly reject?: (value: unknown) => Error;
}

const CHAIN = Symbol.for('consecution.chain');

interface Chained {
  [CHAIN]?: { readonly upstream: Observable<Envelope<unknown>>; readonly steps: readonly Step[] };
}

/**
 * Appends a 1:1 step to `source`. Adjacent 1:1 steps fuse into one subscriber that runs them in a
 * loop (as @most/core fuses map and filter): one RxJS hop for the run instead of one per stage.
 * An envelope has one owner at a time, so the loop replaces its value in place.
 */
export function appendStep<I, O>(source: Observable<Envelope<I>>, step: Step): Observable<Envelope<O>> {
  const prior = (source as Chained)[CHAIN];
  const upstream = prior?.upstream ?? (source);
  const steps = prior === undefined ? [step] : [...prior.steps, step];
  const chain = fused(upstream, steps);
  (chain as Chained)[CHAIN] = { upstream, steps };
  markStage(chain, { nodes: steps.map((s) => s.stats), upstream });
  return chain as unknown as Observable<Envelope<O>>;
}

function fused(upstream: Observable<Envelope<unknown>>, steps: readonly Step[]): Observable<Envelope<unknown>> {
  const n = steps.length;
  const h = stageContext();
  return new Linkable<Envelope<unknown>>((subscriber) => {
    const count: ChainCount = { entered: 0, steps: steps.map((s) => s.stats) };
    h.countChain(count);
    // It emits only inside its upstream's next: a torn-down upstream sends nothing, so no guard.
    return connect(upstream, {
      next(env) {
        count.entered++;
        let v = env.value;
        let i = 0;
        try {
          for (; i < n; i++) {
            const s = steps[i]!;
            if (s.op === 'map') v = s.fn(v);
            else if (!s.fn(v)) {
              if (s.op === 'filter') ackAt(s.stats, env);
              else rejected(s, env, v);
              return;
            }
          }
        } catch (e) {
          failAt(steps[i]!.stats, env, v, e);
          return;
        }
        env.value = v;
        subscriber.next(env);
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
  });
}

/** A check's function returned false: the item fails with the check's error (out of the loop, which the JIT inlines whole). */
function rejected(s: Step, env: Envelope<unknown>, v: unknown): void {
  failAt(s.stats, env, v, s.reject!(v));
}
