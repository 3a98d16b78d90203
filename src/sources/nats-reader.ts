import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { FailureRecord } from '../acker/failure.js';
import { systemClock } from '../clock/system.js';
import { jsonText } from '../connectors/json-text.js';
import { closeNats, connectNats, type NatsSession } from '../connectors/nats.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { Clock, TimerHandle } from '../types.js';
import { durableConsumer } from './nats-consumer.js';
import { decodeMessage, lastDelivery, messageKey, type NatsSourceConfig } from './nats-message.js';
import type { SourceContext, SourceReader } from './source.js';

const DONE: IteratorResult<never, unknown> = { done: true, value: undefined };

/** Fetches that fail in a row (the server gone, the consumer deleted) before the run fails. */
const FETCH_FAILURES = 5;

/**
 * An open fromNats: one connection, a pump that fetches batches of messages from the durable
 * consumer into a buffer (a new fetch once the run has taken the last one's), and the messages
 * held: delivered to this reader, not settled yet (buffered, or in flight in the run), by stream
 * sequence. Every half ack wait each held message gets `working()`, which restarts its ack wait on
 * the server: a message is redelivered elsewhere only when this process stops holding it.
 */
export class NatsReader implements SourceReader<unknown> {
  /** The last message's stream sequence. */
  position: number | undefined = undefined;
  error: unknown = undefined;
  /** The last message's identity outside this process (see messageKey): what its items' meta.key is made of. */
  key: string | undefined = undefined;
  /** The JSON text the last item was parsed from (see SourceReader.raw). */
  raw: string | undefined = undefined;
  /** close() ends a pending read at once; the messages not settled stay unacked on the server. */
  readonly closeSettlesRead = true;
  private session: NatsSession | undefined;
  private consumer: Consumer | undefined;
  /** The consumer's max deliveries; -1: unlimited. */
  private maxDeliver = -1;
  private readonly ready: Promise<void>;
  private readonly pumping: Promise<void>;
  private buffer: JsMsg[] = [];
  private next = 0;
  private readonly held = new Map<number, JsMsg>();
  /** Resolves a read waiting for a message, a failure or the close. */
  private wake: (() => void) | undefined;
  /** Resolves the pump waiting for the run to take the buffer. */
  private drained: (() => void) | undefined;
  private failure: ConsecutionError | undefined;
  private readonly deadLetters = new Set<Promise<void>>();
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private closed = false;

  constructor(
    private readonly o: NatsSourceConfig,
    context: SourceContext | undefined,
    private readonly counts: { redelivered: number },
  ) {
    this.clock = context?.clock ?? systemClock;
    this.ready = this.open();
    // Awaited by the first read; a stop before it must not leave its failure unhandled.
    this.ready.catch(() => {});
    this.pumping = this.pump();
  }

  read(): IteratorResult<unknown, unknown> | Promise<IteratorResult<unknown, unknown>> {
    if (this.next < this.buffer.length) return this.take();
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return DONE;
    return new Promise<void>((resolve) => (this.wake = resolve)).then(() => this.read());
  }

  confirm(position: unknown, completed: boolean, deadLetter?: FailureRecord): void {
    const msg = typeof position === 'number' ? this.held.get(position) : undefined;
    if (msg === undefined) return;
    this.held.delete(position as number);
    if (completed) quietly(() => msg.ack());
    else if (this.o.deadLetterSubject === undefined || deadLetter === undefined) quietly(() => msg.term());
    else this.deadLetter(msg, deadLetter);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clock.clearInterval(this.timer);
    // The pull request in flight is not stopped: the server cannot take it back, and would still
    // deliver to it (a nak'd message too), where nobody listens any more: those messages would wait
    // out their ack wait. It ends within fetchWaitMs; what it brings goes to the buffer meanwhile.
    this.drained?.();
    this.wake?.();
    await this.pumping;
    // Fetched, never taken by the run: handed back at once, for another consumer (a nak costs
    // them no ack wait), now that no pull request of this reader is left to take them again.
    // What the run took and did not settle stays unacked until its ack wait.
    for (let i = this.next; i < this.buffer.length; i++) {
      const msg = this.buffer[i]!;
      this.held.delete(msg.info.streamSequence);
      quietly(() => msg.nak());
    }
    this.buffer = [];
    while (this.deadLetters.size > 0) await Promise.all(this.deadLetters);
    await closeNats(this.session);
  }

  private async open(): Promise<void> {
    this.session = await connectNats(this.o.servers, 'fromNats', 'SOURCE_FAILED');
    try {
      const { consumer, ackWaitMs, maxDeliver } = await durableConsumer(this.session, this.o);
      this.consumer = consumer;
      this.maxDeliver = maxDeliver;
      if (!this.closed) this.timer = this.clock.setInterval(() => this.keepAlive(), Math.max(1, Math.floor(ackWaitMs / 2)));
    } catch (e) {
      await closeNats(this.session);
      throw e;
    }
  }

  private take(): IteratorResult<unknown, unknown> {
    const msg = this.buffer[this.next++]!;
    if (this.next === this.buffer.length) {
      this.buffer = [];
      this.next = 0;
      this.drained?.();
    }
    const { value, error, raw } = decodeMessage(msg, this.o);
    this.raw = raw;
    this.position = msg.info.streamSequence;
    this.key = messageKey(msg, this.o.stream);
    this.error = error ?? lastDelivery(msg, this.maxDeliver, this.o);
    return { done: false, value };
  }

  /** Fetches batches while the reader is open: the next once the run took the buffer. A failure fails the reads. */
  private async pump(): Promise<void> {
    let failures = 0;
    try {
      await this.ready;
      while (!this.closed) {
        if (this.next < this.buffer.length) {
          await new Promise<void>((resolve) => (this.drained = resolve));
          this.drained = undefined;
          continue;
        }
        try {
          await this.fetchBatch();
          failures = 0;
        } catch (e) {
          if (this.closed) break;
          if (++failures >= FETCH_FAILURES || this.session!.nc.isClosed()) throw this.failed(`could not fetch (${failures} tries)`, e);
          // The pause ends early at close, which resolves `drained`.
          await new Promise<void>((resolve) => {
            this.drained = resolve;
            this.clock.setTimeout(resolve, 1000);
          });
          this.drained = undefined;
        }
      }
    } catch (e) {
      if (!this.closed) this.failure = e instanceof ConsecutionError ? e : this.failed('could not read', e);
    } finally {
      this.wake?.();
    }
  }

  /** One pull request: its messages go to the buffer as they arrive, until it has `batch` or expires. */
  private async fetchBatch(): Promise<void> {
    const messages = await this.consumer!.fetch({ max_messages: this.o.batch, expires: this.o.fetchWaitMs });
    // Arriving as the reader closes, a message joins the buffer, which close() hands back.
    for await (const msg of messages) this.add(msg);
  }

  private add(msg: JsMsg): void {
    const seq = msg.info.streamSequence;
    if (msg.info.deliveryCount > 1) this.counts.redelivered++;
    // Delivered again while held (its ack wait ran out after all): acked through the newest delivery.
    const again = this.held.has(seq);
    this.held.set(seq, msg);
    if (again) return;
    this.buffer.push(msg);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Every half ack wait: each message held restarts its ack wait (`working()`, +WPI), so that none is redelivered while held. */
  private keepAlive(): void {
    if (this.closed) return;
    for (const msg of this.held.values()) quietly(() => msg.working());
  }

  /** The failure record goes to deadLetterSubject (deduped by the message's key); once stored the message is terminated, otherwise redelivered. */
  private deadLetter(msg: JsMsg, record: FailureRecord): void {
    const seq = msg.info.streamSequence;
    const p = (async () => {
      try {
        const text = jsonText({ ...record, stream: this.o.stream, seq, subject: msg.subject }, this.o.name);
        await this.session!.js.publish(this.o.deadLetterSubject!, text, { msgID: `${messageKey(msg, this.o.stream)}:dead` });
        quietly(() => msg.term());
      } catch {
        quietly(() => msg.nak());
      }
    })().finally(() => this.deadLetters.delete(p));
    this.deadLetters.add(p);
  }

  private failed(what: string, e: unknown): ConsecutionError {
    return new ConsecutionError('SOURCE_FAILED', `${this.o.name}: ${what} from consumer "${this.o.consumer}" of stream "${this.o.stream}" at ${this.session?.where ?? this.o.servers.join(',')}: ${messageOf(e)}`, { cause: e });
  }
}

/**
 * Sends an ack, nak, term or working: fire and forget. On a connection closed meanwhile nats.js
 * throws; nothing is lost then: the server redelivers what was not acked.
 */
function quietly(send: () => void): void {
  try {
    send();
  } catch {
    // See above.
  }
}
