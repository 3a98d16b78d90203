import { Observable } from 'rxjs';
import {
  ackAt,
  ConsecutionError,
  failAt,
  stageContext,
  isPromiseLike,
  markStage,
  preview,
  seconds,
  slackOf,
  type Envelope,
  type Node,
} from '../src/core.js';

/** Options of {@link output}. */
export interface OutputOptions {
  /** The node's name in metrics and errors. @default the output's name */
  readonly name?: string;
}

/**
 * Writes each value to the consecutor's named output and acks it once the write is confirmed
 * (at once for an array's `push()`, when the promise of a container's `append()` resolves; a
 * rejected write fails the item). Emits nothing: it is a sink. A write never confirmed cannot
 * hold the run: its item times out (and the timeout names this output), or, under
 * `guarantee: 'none'`, the write is given up after timeoutMs with an `OUTPUT_FAILED` error.
 *
 * @example
 * ```ts
 * const c = new Consecutor(pipe(map(distance), output('distances')), { outputs: { distances: [] } });
 * ```
 */
export function output<T>(outputName: string, options: OutputOptions = {}): Node<T, never> {
  return (source) => {
    const h = stageContext();
    const stats = h.register('output', options.name ?? outputName);
    const writer = h.output(outputName, stats.name);
    const out = new Observable<Envelope<never>>((subscriber) => {
      let completed = false;
      // Writes not confirmed yet, with when they were made (the run's coarse clock). One whose
      // item's tree has failed or settled elsewhere (it timed out), or an untracked one older than
      // timeoutMs, is given up on the run's tick: a container that never confirms cannot hold the run.
      const pending = new Map<Envelope<unknown>, number>();
      const limit = slackOf(h.timeoutMs);
      const settle = () => {
        if (completed && stats.inFlight === 0) subscriber.complete();
      };
      const done = (env: Envelope<unknown>): boolean => {
        if (!pending.delete(env)) return false;
        stats.inFlight--;
        return true;
      };
      const unconfirmed = (env: Envelope<unknown>) =>
        new ConsecutionError('OUTPUT_FAILED', `output "${outputName}" did not confirm the write of item ${preview(env.value)} within timeoutMs=${h.timeoutMs}`, {
          node: stats.name,
        });
      h.onTick(() => {
        const now = h.now;
        for (const [env, since] of pending) {
          if (env.anchor.tracked ? env.anchor.live(env.attempt) : h.timeoutMs <= 0 || now - since < limit) continue;
          done(env);
          if (!env.anchor.tracked) failAt(stats, env, env.value, unconfirmed(env));
        }
        settle();
      });
      h.addHolder({
        where(root, now) {
          for (const [env, since] of pending) {
            if (env.anchor.belongsTo(root)) return { node: stats.name, where: `waiting on output "${outputName}" for ${seconds(now - since)}` };
          }
          return undefined;
        },
      });
      const sub = source.subscribe({
        next(env) {
          stats.received++;
          let confirm: unknown;
          try {
            confirm = writer.write(env.value);
          } catch (e) {
            failAt(stats, env, env.value, e);
            return;
          }
          if (!isPromiseLike(confirm)) {
            ackAt(stats, env);
            return;
          }
          stats.inFlight++;
          pending.set(env, h.now);
          confirm.then(
            () => {
              if (!done(env)) return;
              ackAt(stats, env);
              settle();
            },
            (e: unknown) => {
              if (!done(env)) return;
              failAt(stats, env, env.value, e);
              settle();
            },
          );
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          completed = true;
          settle();
        },
      });
      return sub;
    });
    return markStage(out, { nodes: [stats], upstream: source });
  };
}
