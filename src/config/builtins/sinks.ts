import { toFile } from '../../sinks/file.js';
import { toHttp } from '../../sinks/http.js';
import { toNats } from '../../sinks/nats.js';
import { toKafka } from '../../sinks/kafka.js';
import { toPostgres } from '../../sinks/postgres.js';
import { toRedisStream } from '../../sinks/redis-stream.js';
import { toStdout } from '../../sinks/stdout.js';
import { toZmq } from '../../sinks/zmq.js';
import { optionsOf } from '../options-of.js';
import { builtin, take, text, type Builtin } from './builtin.js';

/** The sinks a pipeline file's nodes can `use`: each becomes an output of that node's name. */
export const sinks: Readonly<Record<string, Builtin<'sink'>>> = {
  toFile: builtin({
    kind: 'sink',
    summary: 'appends a line per item to a file, one fsync per batch (optional rotation)',
    params: optionsOf('toFile').extend({ path: text('the file to append to') }),
    paths: ['path'],
    build: (p) => {
      const [{ path }, options] = take(p, 'path');
      return toFile(path, options);
    },
  }),
  toStdout: builtin({ kind: 'sink', summary: 'writes a line per item to standard output', params: optionsOf('toStdout'), build: (p) => toStdout(p) }),
  toHttp: builtin({
    kind: 'sink',
    summary: 'POSTs each item (retries with full-jitter backoff, Idempotency-Key from the item)',
    params: optionsOf('toHttp').extend({ url: text('where to POST') }),
    build: (p) => {
      const [{ url }, options] = take(p, 'url');
      return toHttp(url, options);
    },
  }),
  toPostgres: builtin({
    kind: 'sink',
    summary: 'inserts rows, one multi-row INSERT per batch, idempotent with keyColumn',
    params: optionsOf('toPostgres'),
    build: (p) => toPostgres(p as never),
  }),
  toZmq: builtin({ kind: 'sink', summary: 'sends each item on a ZeroMQ push or pub socket', params: optionsOf('toZmq'), build: (p) => toZmq(p as never) }),
  toRedisStream: builtin({
    kind: 'sink',
    summary: 'adds each item to a Redis stream (JSON in data, its idempotency key in key), one pipeline per batch',
    params: optionsOf('toRedisStream'),
    build: (p) => toRedisStream(p as never),
  }),
  toKafka: builtin({
    kind: 'sink',
    summary: 'produces each item as a JSON message to a Kafka topic (idempotent producer, acks from all in-sync replicas)',
    params: optionsOf('toKafka'),
    build: (p) => toKafka(p as never),
  }),
  toNats: builtin({
    kind: 'sink',
    summary: 'publishes each item to a NATS JetStream subject (JSON, Nats-Msg-Id = its idempotency key), confirmed on PubAck',
    params: optionsOf('toNats'),
    build: (p) => toNats(p as never),
  }),
};
