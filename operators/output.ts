import { Observable } from 'rxjs';
import { ackAt, failAt, host, isPromiseLike, markStage, type Envelope, type Node } from '../src/core.js';

/** Options of {@link output}. */
export interface OutputOptions {
  /** The node's name in metrics and errors. @default the output's name */
  readonly name?: string;
}

/**
 * Writes each value to the consecutor's named output and acks it once the write is confirmed
 * (at once for an array's `push()`, when the promise of a container's `append()` resolves; a
 * rejected write fails the item). Emits nothing: it is a sink.
 *
 * @example
 * ```ts
 * const c = new Consecutor(pipe(map(distance), output('distances')), { outputs: { distances: [] } });
 * ```
 */
export function output<T>(outputName: string, options: OutputOptions = {}): Node<T, never> {
  return (source) => {
    const h = host();
    const stats = h.register('output', options.name ?? outputName);
    const writer = h.output(outputName, stats.name);
    const out = new Observable<Envelope<never>>((subscriber) => {
      let completed = false;
      // Writes not confirmed yet. One whose item's tree has failed or settled elsewhere (it timed
      // out) is given up on the run's tick: a container that never confirms cannot hold the run.
      const pending = new Set<Envelope<unknown>>();
      const settle = () => {
        if (completed && stats.inFlight === 0) subscriber.complete();
      };
      const done = (env: Envelope<unknown>): boolean => {
        if (!pending.delete(env)) return false;
        stats.inFlight--;
        return true;
      };
      h.onTick(() => {
        for (const env of pending) if (!env.anchor.live(env.attempt)) done(env);
        settle();
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
          pending.add(env);
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
