import { ConsecutionError } from '../errors.js';
import type { WriteMeta } from '../outputs/meta.js';
import { GroupCommit } from './group-commit.js';

/** An output target that writes through a client, in batches: what {@link batchedTarget} returns. */
export interface BatchedTarget<T> {
  open(): Promise<void>;
  append(value: T, meta?: WriteMeta): Promise<void>;
  close(): Promise<void>;
}

/** What a broker sink does, for {@link batchedTarget}: connect, encode one value, write a batch, disconnect. */
export interface BatchedSink<T, C, P> {
  /** The target's name in errors. */
  readonly name: string;
  /** The most payloads in one commit. */
  readonly batchSize: number;
  /** Opens the client; a rejection fails the run at open. */
  connect(): Promise<C>;
  /** The payload of one append; a throw rejects that append alone. */
  encode(value: T, meta: WriteMeta | undefined): P;
  /** Writes a batch: resolves with each payload's failure (undefined: written), or nothing when all were; a rejection fails them all. */
  commit(client: C, batch: readonly P[]): Promise<readonly (Error | undefined)[] | void>;
  disconnect(client: C): Promise<void>;
}

interface Entry<P> {
  readonly payload: P;
  failure?: Error | undefined;
}

/**
 * An output target on a client that writes in batches (group commit: appends made while a batch
 * is written go together into the next), each append confirmed when its batch's write confirmed
 * it. The shape toNats, toRedisStream and toKafka share.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const target = batchedTarget<string, string[], string>({
 *   name: 'lines',
 *   batchSize: 100,
 *   connect: async () => lines,
 *   encode: (value) => `${value}\n`,
 *   commit: async (client, batch) => void client.push(...batch),
 *   disconnect: async () => {},
 * });
 * ```
 */
export function batchedTarget<T, C, P>(sink: BatchedSink<T, C, P>): BatchedTarget<T> {
  let client: C | undefined;
  const group = new GroupCommit<Entry<P>>(async (batch) => {
    const failures = await sink.commit(client!, batch.map((e) => e.payload));
    if (failures !== undefined) failures.forEach((f, i) => (batch[i]!.failure = f));
  }, sink.batchSize);
  return {
    async open() {
      client = await sink.connect();
    },
    append(value, meta) {
      if (client === undefined) return Promise.reject(new ConsecutionError('OUTPUT_FAILED', `${sink.name}: append() before open() or after close()`));
      let entry: Entry<P>;
      try {
        entry = { payload: sink.encode(value, meta) };
      } catch (e) {
        return Promise.reject(e);
      }
      return group.append(entry).then(() => {
        if (entry.failure !== undefined) throw entry.failure;
      });
    },
    async close() {
      await group.drain();
      const c = client;
      client = undefined;
      if (c !== undefined) await sink.disconnect(c);
    },
  };
}
