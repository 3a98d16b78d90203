import { fromCron } from '../../sources/cron.js';
import { fromFile } from '../../sources/file.js';
import { fromHttp } from '../../sources/http.js';
import { fromInterval } from '../../sources/interval.js';
import { fromNats } from '../../sources/nats.js';
import { fromPostgres } from '../../sources/postgres.js';
import { fromRedisStream } from '../../sources/redis-stream.js';
import { fromStdin } from '../../sources/stdin.js';
import { watchDirectory } from '../../sources/watch.js';
import { fromZmq } from '../../sources/zmq.js';
import { optionsOf } from '../options-of.js';
import { builtin, take, text, type Builtin } from './builtin.js';

/** The sources a pipeline file's `source:` can `use`. */
export const sources: Readonly<Record<string, Builtin<'source'>>> = {
  fromFile: builtin({
    kind: 'source',
    summary: 'the lines of a file (ndjson, json lines, csv, text), resumed after the last journaled line',
    params: optionsOf('fromFile').extend({ path: text('the file to read') }),
    paths: ['path'],
    build: (p) => {
      const [{ path }, options] = take(p, 'path');
      return fromFile(path, options);
    },
  }),
  fromStdin: builtin({ kind: 'source', summary: 'the lines of standard input', params: optionsOf('fromStdin'), build: (p) => fromStdin(p) }),
  fromHttp: builtin({
    kind: 'source',
    summary: 'items POSTed over HTTP (202 once journaled; 429 when full; 400 naming a bad line)',
    params: optionsOf('fromHttp'),
    build: (p) => fromHttp(p as never),
  }),
  fromZmq: builtin({ kind: 'source', summary: 'ZeroMQ pull or sub messages', params: optionsOf('fromZmq'), build: (p) => fromZmq(p as never) }),
  fromInterval: builtin({
    kind: 'source',
    summary: 'a tick every everyMs (each once across restarts on a durable store)',
    params: optionsOf('fromInterval'),
    build: (p) => fromInterval(p as never),
  }),
  fromCron: builtin({
    kind: 'source',
    summary: 'a tick at each time of a cron expression (each once across restarts on a durable store)',
    params: optionsOf('fromCron').extend({ cron: text("the cron expression, e.g. '*/5 * * * *'") }),
    build: (p) => {
      const [{ cron }, options] = take(p, 'cron');
      return fromCron(cron, options);
    },
  }),
  watchDirectory: builtin({
    kind: 'source',
    summary: 'each file that appears in a directory, once it stayed unchanged minAgeMs (none twice once completed)',
    params: optionsOf('watchDirectory').extend({ dir: text('the directory to watch') }),
    paths: ['dir'],
    build: (p) => {
      const [{ dir }, options] = take(p, 'dir');
      return watchDirectory(dir, options);
    },
  }),
  fromPostgres: builtin({
    kind: 'source',
    summary: 'the rows of a query (a cursor, or keyset pages resumed after the last journaled key)',
    params: optionsOf('fromPostgres'),
    build: (p) => fromPostgres(p as never),
  }),
  fromRedisStream: builtin({
    kind: 'source',
    summary: 'the entries of a Redis stream as one consumer of a group (XACK on completion, XAUTOCLAIM of dead consumers\' entries)',
    params: optionsOf('fromRedisStream'),
    build: (p) => fromRedisStream(p as never),
  }),
  fromNats: builtin({
    kind: 'source',
    summary: 'the messages of a NATS JetStream stream through a durable pull consumer (ack on completion, working() while in flight, term on dead letter)',
    params: optionsOf('fromNats'),
    build: (p) => fromNats(p as never),
  }),
};
