// The NATS server of the NATS connector tests, and helpers on it: a raw connection with its
// JetStream manager, unique streams (deleted after each test), publishing and reading back.
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type ConsumerInfo, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { service } from './services.js';

export { until } from './until.js';

export const server = await service('nats');
export const servers = `nats://${server.host}:${server.port}`;

let nc: NatsConnection | undefined;
let jsm: JetStreamManager | undefined;
const streams: string[] = [];

/** The raw connection and JetStream manager of the test server (one per test file). */
export async function nats(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
  nc ??= await connect({ servers });
  jsm ??= await jetstreamManager(nc);
  return { nc, jsm };
}

/** A new stream, unique to this test, holding the subjects `<name>.>`: deleted by {@link cleanup}. */
export async function newStream(what: string): Promise<{ stream: string; subject: (s: string) => string }> {
  const stream = `test_${what}_${randomUUID().slice(0, 8)}`;
  streams.push(stream);
  await (await nats()).jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  return { stream, subject: (s) => `${stream}.${s}` };
}

/** Deletes the streams made by {@link newStream}; with `end`, closes the connection too. */
export async function cleanup(end = false): Promise<void> {
  if (streams.length > 0) {
    const { jsm } = await nats();
    await Promise.all(streams.splice(0).map((s) => jsm.streams.delete(s).catch(() => false)));
  }
  if (end && nc !== undefined) {
    await nc.close();
    nc = undefined;
    jsm = undefined;
  }
}

/** Publishes one message per value, its JSON as payload (raw strings as they are), and awaits the PubAcks. */
export async function publishAll(subject: string, values: readonly unknown[], msgIDs?: readonly string[]): Promise<void> {
  const js = jetstream((await nats()).nc);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const id = msgIDs?.[i];
    await js.publish(subject, typeof v === 'string' ? v : JSON.stringify(v), id === undefined ? undefined : { msgID: id });
  }
}

/** The consumer's state on the server (num_ack_pending, num_redelivered, delivered, ...). */
export async function consumerInfo(stream: string, consumer: string): Promise<ConsumerInfo> {
  return (await nats()).jsm.consumers.info(stream, consumer);
}

/** The messages the stream holds, in order. */
export async function messages(stream: string): Promise<StoredMsg[]> {
  const { jsm } = await nats();
  const { state } = await jsm.streams.info(stream);
  const out: StoredMsg[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    out.push(await jsm.streams.getMessage(stream, { seq }).then((m) => m!));
  }
  return out;
}

/** A stream name unique to this test, for a stream the code under test creates: deleted by {@link cleanup}. */
export function newStreamName(what: string): string {
  const stream = `test_${what}_${randomUUID().slice(0, 8)}`;
  streams.push(stream);
  return stream;
}
