// toKafka. No Kafka broker runs on this project's CI machine: the tests against a broker run where
// KAFKA_BROKERS is set (e.g. KAFKA_BROKERS=127.0.0.1:9092), and are skipped with that reason
// otherwise, CONSECUTION_REQUIRE_SERVICES=1 or not. The rest needs no broker.
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { Consecutor, map, toKafka } from 'consecution';

const brokers = process.env.KAFKA_BROKERS;
const noBroker = brokers === undefined ? 'KAFKA_BROKERS is not set (no Kafka broker runs on this machine)' : undefined;

describe('toKafka without a broker', () => {
  it('refuses bad options at once, showing the value', () => {
    expect(() => toKafka({ brokers: [], topic: 't' })).toThrow("toKafka(): brokers must be host:port strings (['127.0.0.1:9092'], or one comma-separated string), got array []");
    expect(() => toKafka({ brokers: 'localhost', topic: 't' })).toThrow(/brokers must be host:port strings .*got string "localhost"/);
    expect(() => toKafka({ brokers: '127.0.0.1:9092', topic: '' })).toThrow('toKafka(): topic must be a topic name, got string ""');
    expect(() => toKafka({ brokers: '127.0.0.1:9092', topic: 't', retries: 0 })).toThrow('toKafka(): retries must be an integer >= 1, got number 0');
    expect(() => toKafka({ brokers: '127.0.0.1:9092', topic: 't', tpoic: 'x' } as never)).toThrow(/unknown toKafka\(\) option tpoic .*did you mean topic\?/);
  });

  it('unreachable brokers fail the run at open with OUTPUT_FAILED naming them, before any item is read', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    let read = 0;
    const c = new Consecutor(map('id', (x: number) => x), { outputs: { default: toKafka({ brokers: [`127.0.0.1:${port}`], topic: 'orders', retries: 1, connectionTimeoutMs: 1_000 }) } });
    const items = (function* () {
      read++;
      yield 1;
    })();
    const error = await c.run(items).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_FAILED', message: expect.stringContaining(`toKafka orders on 127.0.0.1:${port}: cannot connect`) });
    expect(read).toBe(0);
  });
});

describe.skipIf(noBroker !== undefined)(`toKafka on a broker${noBroker === undefined ? '' : ` (skipped: ${noBroker})`}`, () => {
  it('produces each item as a JSON message with its idempotency key header, confirmed by the brokers', async () => {
    const { Kafka, logLevel } = await import('kafkajs');
    const topic = `consecution-${process.pid}-${Date.now()}`;
    const kafka = new Kafka({ clientId: 'test', brokers: brokers!.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    const report = await new Consecutor(map('id', (x: number) => ({ n: x })), { outputs: { default: toKafka({ brokers: brokers!, topic }) } }).run([1, 2, 3]);
    expect(report.ok).toBe(true);
    const consumer = kafka.consumer({ groupId: topic });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: { value: unknown; key: string }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push({ value: JSON.parse(message.value!.toString()), key: String(message.headers!['idempotency-key']) });
          if (got.length === 3) resolve();
        },
      });
    });
    expect(got.map((g) => g.value)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(new Set(got.map((g) => g.key)).size).toBe(3);
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
});
