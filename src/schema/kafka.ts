import { z } from 'zod';
import { BROKERS_EXPECTED, brokerList } from '../connectors/kafka.js';

/**
 * The brokers of a Kafka connector, as toKafka checks them ({@link brokerList}): a list of
 * `host:port` strings, or one comma-separated string of them.
 *
 * @example
 * ```ts
 * kafkaBrokers.parse('kafka1:9092,kafka2:9092'); // 'kafka1:9092,kafka2:9092'
 * kafkaBrokers.safeParse(['localhost']).success; // false: no port
 * ```
 */
export const kafkaBrokers = z
  .union([z.string(), z.array(z.string())], { error: BROKERS_EXPECTED })
  .refine((b) => brokerList(b) !== undefined, BROKERS_EXPECTED)
  .describe("the brokers to bootstrap from: host:port strings, a list (['kafka1:9092', 'kafka2:9092']) or one comma-separated string ('kafka1:9092,kafka2:9092')");
