import type { Parsed, Source, SourceContext, SourceReader } from './source.js';

/** What a broker source's readers count for it: the messages delivered to it that had been delivered before. */
export interface Redeliveries {
  redelivered: number;
}

/** A broker's source: a {@link Source} that also counts the messages it was given again. */
export interface BrokerSource<T> extends Source<T> {
  /** Messages delivered to this source that had been delivered before: ones another copy, or an earlier run, got and did not settle. */
  readonly redelivered: number;
}

/**
 * The source of a broker connector (fromNats, fromRedisStream): named `name`, parsing redriven
 * raw input with `parse`, opening a reader with `open`, which counts redeliveries in the object
 * it is given (one for every run of the source).
 *
 * @example
 * ```ts
 * declare const reader: (context: SourceContext | undefined, counts: Redeliveries) => SourceReader<unknown>;
 * const source = brokerSource<string>('queue', (raw) => ({ value: String(raw) }), reader);
 * source.redelivered; // 0
 * ```
 */
export function brokerSource<T>(name: string, parse: (raw: unknown) => Parsed<T>, open: (context: SourceContext | undefined, counts: Redeliveries) => SourceReader<unknown>): BrokerSource<T> {
  const counts: Redeliveries = { redelivered: 0 };
  return {
    name,
    get redelivered() {
      return counts.redelivered;
    },
    parse,
    open: (_after?: unknown, context?: SourceContext) => open(context, counts) as SourceReader<T>,
  };
}
