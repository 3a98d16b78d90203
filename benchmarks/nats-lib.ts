// Pieces the NATS scenarios share: fresh streams filled with `{ n }` messages (deleted after each
// run), and the raw nats.js pipeline the consecution variants are measured against: a durable pull
// consumer fetched `batch` at a time, each message mapped and published with a Nats-Msg-Id in
// groups whose PubAcks are awaited together (what toNats does), the input acked after its PubAck.
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export const NATS_SERVERS = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The consumer's ack wait: longer than any run, so that nothing is redelivered while measured. */
export const ACK_WAIT_MS = 30_000;

/** toNats's default: the most messages one group publishes at once. */
export const GROUP_SIZE = 1_000;

export interface NatsClient {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

export async function natsClient(name: string): Promise<NatsClient> {
  // As the connectors do: no async stack traces (two per publish otherwise).
  const nc = await connect({ servers: NATS_SERVERS, name, noAsyncTraces: true });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** A pair of fresh streams: IN, filled with the input, with a durable consumer; OUT, empty. */
export interface StreamPair {
  readonly input: string;
  readonly inputSubject: string;
  readonly output: string;
  readonly outputSubject: string;
  readonly consumer: string;
}

let pairs = 0;

/**
 * Creates IN (holding `{ n }` for each of `input`, published 1,000 at a time, each PubAck awaited)
 * with the durable pull consumer `bench` (explicit acks), and an empty OUT. Untimed: a run's
 * preparation.
 */
export async function freshStreams(client: NatsClient, tag: string, input: readonly number[]): Promise<StreamPair> {
  const id = `${tag}_${process.pid}_${++pairs}`;
  const pair: StreamPair = {
    input: `BENCH_${id}_IN`,
    inputSubject: `bench.${id}.in`,
    output: `BENCH_${id}_OUT`,
    outputSubject: `bench.${id}.out`,
    consumer: 'bench',
  };
  await client.jsm.streams.add({ name: pair.input, subjects: [pair.inputSubject] });
  await client.jsm.streams.add({ name: pair.output, subjects: [pair.outputSubject] });
  for (let from = 0; from < input.length; from += GROUP_SIZE) {
    const acks = input.slice(from, from + GROUP_SIZE).map((n) => client.js.publish(pair.inputSubject, JSON.stringify({ n })));
    await Promise.all(acks);
  }
  await client.jsm.consumers.add(pair.input, {
    durable_name: pair.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: ACK_WAIT_MS * 1e6,
  });
  return pair;
}

/** Messages OUT holds: each run's result (its duplicate window dropped any message published twice). */
export async function outputCount(client: NatsClient, pair: StreamPair): Promise<number> {
  return (await client.jsm.streams.info(pair.output)).state.messages;
}

export async function deleteStreams(client: NatsClient, pair: StreamPair | undefined): Promise<void> {
  if (pair === undefined) return;
  await client.jsm.streams.delete(pair.input).catch(() => false);
  await client.jsm.streams.delete(pair.output).catch(() => false);
}

// --- Raw nats.js -----------------------------------------------------------------------------

interface Waiter {
  readonly data: string;
  readonly id: string;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * toNats's batching by hand: appends made while a group is being published go together into the
 * next one (at most `max`); a group's messages are published at once and all resolve when every
 * PubAck of the group has arrived.
 */
export class PublishGroups {
  private queue: Waiter[] = [];
  private busy = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly subject: string,
    private readonly max = GROUP_SIZE,
  ) {}

  append(data: string, id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data, id, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.max);
      try {
        await Promise.all(group.map((w) => this.js.publish(this.subject, w.data, { msgID: w.id })));
        for (const w of group) w.resolve();
      } catch (e) {
        for (const w of group) w.reject(e);
      }
    }
    this.busy = false;
  }
}

export interface RawPipeOptions {
  readonly client: NatsClient;
  readonly pair: StreamPair;
  /** Messages per pull request (fromNats's `batch`). */
  readonly batch: number;
  /** The most messages fetched and not yet acked (a run's maxPending). */
  readonly maxPending: number;
  /** How long one pull request waits for messages. */
  readonly fetchWaitMs: number;
  /** The work on each message's `n`: the new `n` published. */
  readonly work: (n: number) => number;
  /** Ends once this many were published and acked; without it, at stop(). */
  readonly limit?: number;
}

/** A running raw pipeline: `done` resolves once `limit` messages were confirmed, or at stop(). */
export interface RawPipe {
  readonly done: Promise<void>;
  /** Messages published (PubAck confirmed) and acked. */
  readonly confirmed: number;
  stop(): void;
}

/**
 * Raw nats.js doing what fromNats → map → toNats does: pull requests of `batch` messages from the
 * durable consumer (the next once the last one's messages have arrived, while fewer than
 * `maxPending` are unacked); each message parsed, mapped and published to OUT with
 * `Nats-Msg-Id: <stream>:<seq>` in groups (PublishGroups); acked once its group's PubAcks came.
 */
export function rawPipe(o: RawPipeOptions): RawPipe {
  const { js } = o.client;
  const groups = new PublishGroups(js, o.pair.outputSubject);
  let stopped = false;
  let fetched = 0;
  let unacked = 0;
  let confirmed = 0;
  let failure: unknown;
  let room: (() => void) | undefined;
  let current: ConsumerMessages | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const wakeFetch = () => {
    const r = room;
    room = undefined;
    r?.();
  };
  const stop = () => {
    stopped = true;
    current?.stop();
    wakeFetch();
    finish();
  };

  const loop = async (consumer: Consumer): Promise<void> => {
    while (!stopped) {
      if (unacked >= o.maxPending) {
        await new Promise<void>((resolve) => (room = resolve));
        continue;
      }
      const want = o.limit === undefined ? o.batch : Math.min(o.batch, o.limit - fetched);
      if (want <= 0) break;
      const messages = await consumer.fetch({ max_messages: want, expires: o.fetchWaitMs });
      current = messages;
      if (stopped) messages.stop();
      for await (const m of messages) {
        if (stopped) continue;
        fetched++;
        unacked++;
        const { n } = m.json<{ n: number }>();
        groups.append(JSON.stringify({ n: o.work(n) }), `${o.pair.input}:${m.seq}`).then(
          () => {
            m.ack();
            unacked--;
            if (++confirmed === o.limit) stop();
            else wakeFetch();
          },
          (e: unknown) => {
            failure ??= e;
            stop();
          },
        );
      }
      current = undefined;
    }
  };

  const done = (async () => {
    const consumer = await js.consumers.get(o.pair.input, o.pair.consumer);
    const fetching = loop(consumer).catch((e: unknown) => {
      failure ??= e;
      stop();
    });
    await finished;
    await fetching;
    if (failure !== undefined) throw failure;
  })();
  return {
    done,
    get confirmed() {
      return confirmed;
    },
    stop,
  };
}

/** About `ms` of CPU: a busy loop until hrtime has moved on that far (not a sleep). */
export function busy(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end) {
    // spin
  }
}
