// NATS-MAP: 20,000 JSON messages `{ n }` pre-published (untimed) to a fresh JetStream stream IN;
// timed: consume them through a durable pull consumer, map to `{ n: n * 2 }`, publish each to
// stream OUT with its PubAck confirmed and the input acked after it. By fromNats → map → toNats in
// a consecutor, beside raw nats.js doing the same by hand in the same process (nats-lib.ts
// rawPipe: the same pull batch, in-flight bound and publish groups). The run ends once OUT holds
// all N (a consecution run on a broker never ends by itself: it is stopped then). The result
// checked is the number of messages OUT holds at the end.
// The server: NATS_URL (default nats://127.0.0.1:4222), with JetStream.
import { Consecutor, fromNats, map, toNats, type OutputTarget, type WriteMeta } from 'consecution';
import type { Scenario, Variant } from './harness.js';
import { integers } from './lib.js';
import { deleteStreams, freshStreams, natsClient, NATS_SERVERS, outputCount, rawPipe, type NatsClient, type StreamPair } from './nats-lib.js';

const N = 20_000;
/** fromNats's default batch and fetchWaitMs, the Consecutor's default maxPending: the raw pipeline uses the same. */
const BATCH = 100;
const FETCH_WAIT_MS = 5_000;
const MAX_PENDING = 1_000;

interface Msg {
  readonly n: number;
}

const double = (n: number) => n * 2;

/**
 * `target`, counting its confirmed appends: the `count`-th calls `reached` (the run's stop). The
 * way to end a run on an endless source once a known number of results is out.
 */
export function stopAfter<T>(target: { append(value: T, meta: WriteMeta): Promise<void>; open(): Promise<void>; close(): Promise<void> }, count: number, reached: () => void): OutputTarget<T> {
  let confirmed = 0;
  return {
    open: () => target.open(),
    close: () => target.close(),
    append: (value, meta) =>
      target.append(value, meta).then(() => {
        if (++confirmed === count) reached();
      }),
  };
}

/** One variant on its own fresh streams: prepare fills IN, cleanup deletes both. */
function onFreshStreams(name: string, body: (client: NatsClient, pair: StreamPair, items: number) => Promise<void>, baseline?: 'nats'): Variant {
  let client: NatsClient | undefined;
  let pair: StreamPair | undefined;
  return {
    name,
    ...(baseline === undefined ? {} : { baseline }),
    async prepare(input) {
      client = await natsClient('bench nats-map');
      pair = await freshStreams(client, 'map', input);
    },
    async run(input) {
      await body(client!, pair!, input.length);
      return outputCount(client!, pair!);
    },
    async cleanup() {
      await deleteStreams(client!, pair);
      await client?.nc.close();
      client = undefined;
      pair = undefined;
    },
  };
}

export const natsMap: Scenario = {
  id: 'nats-map',
  title: 'NATS JetStream → map → NATS JetStream (PubAck confirmed), against raw nats.js',
  items: N,
  input: () => integers(N),
  expected: (input) => input.length,
  baselines: ['nats'],
  runs: 5,
  warmup: 1,
  variants: [
    onFreshStreams(
      'raw nats.js: fetch 100, publish groups, ack after PubAck',
      async (_client, pair, items) => {
        // Its own connection, as fromNats and toNats open theirs.
        const own = await natsClient('bench raw');
        try {
          await rawPipe({ client: own, pair, batch: BATCH, maxPending: MAX_PENDING, fetchWaitMs: FETCH_WAIT_MS, work: double, limit: items }).done;
        } finally {
          await own.nc.drain();
        }
      },
      'nats',
    ),
    onFreshStreams('consecution fromNats → map → toNats', async (_client, pair, items) => {
      const source = fromNats<Msg>({ servers: NATS_SERVERS, stream: pair.input, consumer: pair.consumer, batch: BATCH, fetchWaitMs: FETCH_WAIT_MS });
      const sink = toNats<Msg>({ servers: NATS_SERVERS, subject: pair.outputSubject });
      let c: Consecutor<Msg, Msg> | undefined = undefined;
      const out = stopAfter(sink, items, () => void c!.stop());
      c = new Consecutor(
        map((m: Msg) => ({ n: double(m.n) })),
        { maxPending: MAX_PENDING, outputs: { default: out } },
      );
      const report = await c.run(source);
      if (report.completed !== items || report.failed !== 0 || report.errors !== 0) {
        const { ok, ingested, completed, failed, errors, stopped } = report;
        throw new Error(`consecution: run report not clean for ${items} items: ${JSON.stringify({ ok, ingested, completed, failed, errors, stopped })}`);
      }
    }),
  ],
  targets: [{ variant: 'consecution fromNats → map → toNats', baseline: 'nats', min: 0.7 }],
};
