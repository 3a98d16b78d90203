/** What a Kafka broker list must be, for messages. */
export const BROKERS_EXPECTED = "host:port strings (['127.0.0.1:9092'], or one comma-separated string)";

/**
 * The brokers a Kafka connector bootstraps from, as its `brokers` option gives them: a non-empty
 * list of `host:port` strings, or one comma-separated string of them (spaces around the commas
 * allowed). `undefined` when `value` is neither: the caller reports it (with
 * {@link BROKERS_EXPECTED}), so that toKafka and its pipeline-file schema take the same values.
 *
 * @example
 * ```ts
 * brokerList('kafka1:9092, kafka2:9092'); // ['kafka1:9092', 'kafka2:9092']
 * brokerList(['127.0.0.1:9092']); // ['127.0.0.1:9092']
 * brokerList('localhost'); // undefined: no port
 * ```
 */
export function brokerList(value: unknown): string[] | undefined {
  const brokers: unknown = typeof value === 'string' ? value.split(',').map((b) => b.trim()) : value;
  if (!Array.isArray(brokers) || brokers.length === 0) return undefined;
  return brokers.every((b): b is string => typeof b === 'string' && /^[^\s:]+:\d+$/.test(b)) ? [...brokers] : undefined;
}
