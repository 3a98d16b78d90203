import { connect, Guarded, Linkable, markStage, stageContext, type Envelope, type Node } from '../src/core.js';

/** Options of {@link output}. */
export interface OutputOptions {
  /** The node's name in metrics and errors. @default the output's name */
  readonly name?: string;
}

/**
 * Writes each value to the consecutor's named output and acks it once the write is confirmed
 * (at once for an array's `push()`, when the promise of a container's `append(value, meta)`
 * resolves; a write that throws or rejects fails the item with `OUTPUT_FAILED`). Emits nothing: it
 * is a sink. A write never confirmed cannot hold the run: its item times out (and the timeout
 * names this output), or, under `guarantee: 'none'`, the write is given up after timeoutMs with an
 * `OUTPUT_FAILED` error. `meta.key` is the item copy's idempotency key (see `WriteMeta`).
 *
 * @example
 * ```ts
 * declare function distance(trip: { from: string; to: string }): number;
 * const c = new Consecutor(pipe(map(distance), output('distances')), { outputs: { distances: [] } });
 * ```
 */
export function output<T>(outputName: string, options: OutputOptions = {}): Node<T, never> {
  return (source) => {
    const h = stageContext();
    const stats = h.register('output', options.name ?? outputName);
    const writer = h.output(outputName, stats.name, stats);
    const out = new Linkable<Envelope<never>>((downstream) => {
      // It completes when its last write is confirmed, maybe after the link was torn down.
      const subscriber = new Guarded(downstream);
      let completed = false;
      // Its writes are its items: it completes once its input has and no write is awaited.
      writer.onIdle(() => {
        if (completed) subscriber.complete();
      });
      const stop = connect(source, {
        next(env) {
          stats.received++;
          writer.write(env.value, env.anchor, env.hi, env.lo, env.attempt);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          completed = true;
          if (writer.pending === 0) subscriber.complete();
        },
      });
      return () => {
        subscriber.closed = true;
        stop();
      };
    });
    return markStage(out, { nodes: [stats], upstream: source });
  };
}
