import type { FailureRecord } from '../acker/failure.js';
import { jsonText } from '../connectors/json-text.js';
import { closeRedis, connectRedis, entriesOf, readReply, type RedisClient, type StreamEntry } from '../connectors/redis.js';
import { ConsecutionError, messageOf } from '../errors.js';
import { systemClock } from '../clock/system.js';
import type { Clock, TimerHandle } from '../types.js';
import { decodeEntry, type RedisStreamConfig } from './redis-entry.js';
import type { SourceContext, SourceReader } from './source.js';

const DONE: IteratorResult<never, unknown> = { done: true, value: undefined };

/**
 * An open fromRedisStream: two connections (one for the blocking XREADGROUP, one for the rest:
 * XACK, XCLAIM, XAUTOCLAIM), the entries taken and not yet read by the run, and the ids it holds
 * (delivered to this consumer, not acked yet).
 */
export class RedisStreamReader implements SourceReader<unknown> {
  position: string | undefined = undefined;
  error: unknown = undefined;
  /** The entry's `key` field (an upstream toRedisStream's meta.key), else `<stream>:<id>`: the same in every copy that reads it. */
  key: string | undefined = undefined;
  /** The JSON text the last item was parsed from (see SourceReader.raw). */
  raw: string | undefined = undefined;
  /** close() ends a pending read at once; what it had taken stays pending in the group. */
  readonly closeSettlesRead = true;
  private cmd: RedisClient | undefined;
  private block: RedisClient | undefined;
  private readonly ready: Promise<void>;
  private buffer: StreamEntry[] = [];
  private next = 0;
  /** Ids delivered to this consumer and not acked: kept alive against claims by the others. */
  private readonly held = new Set<string>();
  /** Reading this consumer's own pending entries (history, from this id) before new ones. */
  private history: string | undefined = '0';
  private claimCursor = '0-0';
  private claiming = false;
  private acks: string[] = [];
  private deadLetters: string[] = [];
  private flushing: Promise<void> | undefined;
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly o: RedisStreamConfig,
    context: SourceContext | undefined,
    private readonly counts: { redelivered: number },
  ) {
    this.clock = context?.clock ?? systemClock;
    this.ready = this.open();
    // Awaited by the first read; a stop before it must not leave its failure unhandled.
    this.ready.catch(() => {});
  }

  read(): IteratorResult<unknown, unknown> | Promise<IteratorResult<unknown, unknown>> {
    if (this.next < this.buffer.length) return this.take();
    if (this.closed) return DONE;
    return this.fill();
  }

  confirm(position: unknown, completed: boolean, deadLetter?: FailureRecord): void {
    if (typeof position !== 'string' || !this.held.delete(position)) return;
    this.acks.push(position);
    if (!completed && this.o.deadLetterStream !== undefined && deadLetter !== undefined) {
      this.deadLetters.push(jsonText({ ...deadLetter, stream: this.o.stream, id: position }, this.o.name));
    }
    this.flushing ??= Promise.resolve().then(() => this.flush());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearInterval(this.timer);
    // A blocking read in progress ends with the connection; the entries it took stay pending.
    this.block?.disconnect();
    await this.ready.catch(() => {});
    while (this.flushing !== undefined) await this.flushing;
    await closeRedis(this.cmd);
  }

  private async open(): Promise<void> {
    const o = this.o;
    this.cmd = await connectRedis(o.url, 'fromRedisStream', 'SOURCE_FAILED');
    try {
      await this.cmd.call('XGROUP', ['CREATE', o.stream, o.group, '0', 'MKSTREAM']);
    } catch (e) {
      if (!messageOf(e).startsWith('BUSYGROUP')) {
        await closeRedis(this.cmd);
        throw this.failed(`could not create group ${o.group}`, e);
      }
    }
    this.block = this.cmd.duplicate();
    this.block.on('error', () => {});
    if (this.closed) {
      this.block.disconnect();
      return;
    }
    this.timer = this.clock.setInterval(() => void this.tick(), Math.max(1, Math.floor(o.claimIdleMs / 2)));
  }

  private take(): IteratorResult<unknown, unknown> {
    const entry = this.buffer[this.next++]!;
    if (this.next === this.buffer.length) {
      this.buffer = [];
      this.next = 0;
    }
    const { value, error, raw } = decodeEntry(entry, this.o);
    this.raw = raw;
    this.position = entry.id;
    this.key = entry.fields?.key ?? `${this.o.stream}:${entry.id}`;
    this.error = error;
    return { done: false, value };
  }

  /** Reads until there is an entry (own pending ones first, then new ones; claimed ones come in meanwhile), or the reader closed. */
  private async fill(): Promise<IteratorResult<unknown, unknown>> {
    await this.ready;
    while (this.next >= this.buffer.length) {
      if (this.closed) return DONE;
      const entries = await this.fetch();
      if (this.closed) return DONE;
      this.add(entries, this.history !== undefined);
    }
    return this.take();
  }

  private async fetch(): Promise<StreamEntry[]> {
    const { stream, group, consumer, count, blockMs } = this.o;
    try {
      if (this.history !== undefined) {
        const entries = readReply(await this.cmd!.call('XREADGROUP', ['GROUP', group, consumer, 'COUNT', count, 'STREAMS', stream, this.history]));
        this.history = entries.length === 0 ? undefined : entries[entries.length - 1]!.id;
        // Entries deleted from the stream while pending have nothing left to process: acked at once.
        for (const e of entries.filter((x) => x.fields === null)) {
          this.held.add(e.id);
          this.confirm(e.id, true);
        }
        return entries.filter((e) => e.fields !== null);
      }
      return readReply(await this.block!.call('XREADGROUP', ['GROUP', group, consumer, 'COUNT', count, 'BLOCK', blockMs, 'STREAMS', stream, '>']));
    } catch (e) {
      if (this.closed) return [];
      throw this.failed('could not read', e);
    }
  }

  /** Takes entries delivered to this consumer; `again`: they had been delivered before. */
  private add(entries: readonly StreamEntry[], again: boolean): void {
    for (const e of entries) {
      if (this.held.has(e.id)) continue;
      this.held.add(e.id);
      this.buffer.push(e);
      if (again) this.counts.redelivered++;
    }
  }

  /**
   * The periodic work: the entries this consumer holds are kept alive (XCLAIM to itself, which
   * resets their idle time without counting a delivery), then those others left idle for
   * claimIdleMs are claimed (XAUTOCLAIM), while the reader has room for them.
   */
  private async tick(): Promise<void> {
    if (this.claiming || this.closed || this.cmd === undefined) return;
    this.claiming = true;
    const { stream, group, consumer, claimIdleMs, count } = this.o;
    try {
      if (this.held.size > 0) await this.cmd.call('XCLAIM', [stream, group, consumer, 0, ...this.held, 'JUSTID']);
      if (this.buffer.length - this.next < count && !this.closed) {
        const reply = (await this.cmd.call('XAUTOCLAIM', [stream, group, consumer, claimIdleMs, this.claimCursor, 'COUNT', count])) as [string, unknown];
        this.claimCursor = reply[0];
        if (!this.closed) this.add(entriesOf(reply[1]).filter((e) => e.fields !== null), true);
      }
    } catch {
      // A failed claim is tried again at the next tick; a lost connection fails the reads.
    } finally {
      this.claiming = false;
    }
  }

  /** One pipeline: the acks gathered, and the dead letters' records. A failed ack leaves its entry pending: it is delivered again. */
  private async flush(): Promise<void> {
    try {
      while (this.acks.length > 0 && this.cmd !== undefined) {
        const acks = this.acks.splice(0);
        const dead = this.deadLetters.splice(0);
        const p = this.cmd.pipeline();
        p.call('XACK', [this.o.stream, this.o.group, ...acks]);
        for (const record of dead) p.call('XADD', [this.o.deadLetterStream!, '*', this.o.field, record]);
        await p.exec().catch(() => {});
      }
    } finally {
      this.flushing = undefined;
    }
  }

  private failed(what: string, e: unknown): ConsecutionError {
    return new ConsecutionError('SOURCE_FAILED', `${this.o.name}: ${what} on stream ${this.o.stream}: ${messageOf(e)}`, { cause: e });
  }
}
