import type { FailureRecord } from '../acker/failure.js';
import { ConsecutionError } from '../errors.js';
import type { Clock } from '../types.js';
import { accepted, completed, cutShort, refused, type Ingest } from './http-ingest.js';
import type { SourceReader } from './source.js';

/** What an {@link HttpReader} is set up with (see fromHttp's options). */
export interface HttpReaderOptions {
  readonly respond: 'admitted' | 'completed';
  readonly clock: Clock;
  /** How long a request whose items none was read yet waits for room before its 429. */
  readonly waitMs: number;
  /** The position of the first item (one past the last journaled one, so positions never repeat on a store). */
  readonly firstPosition: number;
  /** Lets go of the server once every request is answered; resolves when it is closed. */
  readonly shutdown: () => Promise<void>;
}

const DONE: IteratorResult<unknown, unknown> = { done: true, value: undefined };
/** Trim a list's finished head once it is this long (and over half the list). */
const TRIM = 1024;

/**
 * The run's side of fromHttp: requests wait in a queue until the run reads their items (one after
 * the other, so a request's positions are consecutive); their clients are answered when the run
 * says the items were admitted (`admitted`) or settled (`confirm`). A request none of whose items
 * was read within `waitMs` (the run is at maxPending) is answered 429 and leaves the queue.
 */
export class HttpReader implements SourceReader<unknown> {
  position = 0;
  readonly error = undefined;
  /** The text the last item was parsed from (see SourceReader.raw). */
  raw: string | undefined = undefined;
  /** close() settles a pending read at once (done), and what a read returned is the run's. */
  readonly closeSettlesRead = true;
  stopping = false;
  private readonly options: HttpReaderOptions;
  private readonly retryAfter: string;
  /** Requests with items not read yet, from `qHead`. */
  private queue: Ingest[] = [];
  private qHead = 0;
  /** Requests being read, admitted or settled, from `oHead`, by position. */
  private open: Ingest[] = [];
  private oHead = 0;
  private next: number;
  private wake: ((r: IteratorResult<unknown, unknown>) => void) | undefined;
  private fail: ((e: unknown) => void) | undefined;
  private failure: { error: unknown } | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: HttpReaderOptions) {
    this.options = options;
    this.next = options.firstPosition;
    this.retryAfter = String(Math.max(1, Math.ceil(options.waitMs / 1000)));
  }

  /** A parsed request with at least one item: it waits for the run to read it. */
  offer(ing: Ingest): void {
    if (this.stopping) {
      ing.answer(refused(503, 'the source is stopping: nothing of this request was admitted', { 'Retry-After': this.retryAfter }));
      return;
    }
    this.queue.push(ing);
    const wake = this.wake;
    if (wake !== undefined) {
      this.wake = this.fail = undefined;
      wake(this.take()!);
    }
    if (ing.read === 0) ing.waitTimer = this.options.clock.setTimeout(() => this.tooMany(ing), this.options.waitMs);
  }

  /** The source cannot go on (the server could not listen): the pending read, or the next, rejects. */
  failed(error: unknown): void {
    this.failure = { error };
    const fail = this.fail;
    this.wake = this.fail = undefined;
    fail?.(error);
  }

  read(): IteratorResult<unknown, unknown> | Promise<IteratorResult<unknown, unknown>> {
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    const r = this.take();
    if (r !== undefined) return r;
    if (this.stopping) return DONE;
    return new Promise((resolve, reject) => {
      this.wake = resolve;
      this.fail = reject;
    });
  }

  /** The next item of the queue's head request, if any. */
  private take(): IteratorResult<unknown, unknown> | undefined {
    for (;;) {
      const ing = this.queue[this.qHead];
      if (ing === undefined) return undefined;
      if (ing.dropped || ing.read >= ing.items.length) {
        this.shiftQueue();
        continue;
      }
      if (ing.read === 0) {
        ing.first = this.next;
        this.options.clock.clearTimeout(ing.waitTimer);
        ing.waitTimer = undefined;
        this.open.push(ing);
      }
      this.position = this.next++;
      this.raw = ing.raws?.[ing.read];
      const value = ing.items[ing.read++];
      if (ing.read === ing.items.length) {
        // Every text is out: only the run's journal holds them now, until they are on disk.
        ing.raws = undefined;
        this.shiftQueue();
      }
      return { done: false, value };
    }
  }

  admitted(position: unknown, id = -1): void {
    const ing = this.find(position);
    if (ing === undefined) return;
    if (id < 0 && this.options.respond === 'completed') {
      const error = new ConsecutionError('OPTIONS_INVALID', "fromHttp(): respond: 'completed' needs a tracked guarantee, but the run's is 'none', which tracks nothing");
      this.finish(ing, refused(500, error.message));
      this.failed(error);
      return;
    }
    ing.ids[(position as number) - ing.first] = id;
    if (++ing.admitted < ing.items.length) return;
    if (ing.torn) this.cut(ing);
    else if (this.options.respond === 'admitted') this.finish(ing, accepted(ing));
    // Kept under its key now, so that a repeat after a kill admits nothing again.
    else ing.note(accepted(ing));
  }

  confirm(position: unknown, _completed: boolean, deadLetter?: FailureRecord): void {
    if (this.options.respond === 'admitted') return;
    const ing = this.find(position);
    if (ing === undefined) return;
    if (!_completed) ing.failed(deadLetter, position as number);
    if (++ing.settled === ing.items.length) this.finish(ing, completed(ing));
  }

  /**
   * The stop: requests none of whose items was read are answered 503; the one being read is cut
   * where it is (its client hears which items were admitted); requests fully read are still answered
   * as usual. Resolves once every request is answered and the server is closed.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.stopping = true;
    const wake = this.wake;
    this.wake = this.fail = undefined;
    wake?.(DONE);
    for (let i = this.qHead; i < this.queue.length; i++) {
      const ing = this.queue[i]!;
      if (ing.dropped) continue;
      this.options.clock.clearTimeout(ing.waitTimer);
      if (ing.read === 0) {
        ing.dropped = true;
        ing.answer(refused(503, 'the source is stopping: nothing of this request was admitted', { 'Retry-After': this.retryAfter }));
      } else {
        ing.torn = true;
        ing.items.length = ing.read;
        if (ing.admitted === ing.read) this.cut(ing);
      }
    }
    this.queue = [];
    this.qHead = 0;
    this.closing = this.options.shutdown();
    return this.closing;
  }

  /** The run ended: every request still waiting is answered now (503 with what was admitted). */
  ended(): void {
    void this.close();
    for (let i = this.oHead; i < this.open.length; i++) {
      const ing = this.open[i]!;
      if (ing.finished) continue;
      ing.finished = true;
      ing.answer(cutShort(ing, 'the run ended before these items were all settled: those admitted (ids) stay in the journal on a durable store, and the next run processes them', this.retryAfter));
    }
    this.open = [];
    this.oHead = 0;
  }

  /** A request a stop cut short, once the items it had read are all admitted. */
  private cut(ing: Ingest): void {
    this.finish(ing, cutShort(ing, `the source stopped: only the first ${ing.read} item(s) of this request were admitted (ids); send the rest again`, this.retryAfter));
  }

  private tooMany(ing: Ingest): void {
    ing.waitTimer = undefined;
    if (ing.read > 0 || ing.dropped) return;
    ing.dropped = true;
    ing.answer(
      refused(429, `the pipeline is at maxPending: no room within ${this.options.waitMs} ms; nothing of this request was admitted`, { 'Retry-After': this.retryAfter }),
    );
  }

  private finish(ing: Ingest, answer: Parameters<Ingest['answer']>[0]): void {
    ing.finished = true;
    ing.answer(answer);
    while (this.open[this.oHead]?.finished === true) this.oHead++;
    if (this.oHead > TRIM && this.oHead * 2 > this.open.length) {
      this.open = this.open.slice(this.oHead);
      this.oHead = 0;
    }
  }

  private shiftQueue(): void {
    this.qHead++;
    if (this.qHead === this.queue.length) {
      this.queue.length = 0;
      this.qHead = 0;
    } else if (this.qHead > TRIM && this.qHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.qHead);
      this.qHead = 0;
    }
  }

  /** The request an item's position belongs to (binary search: the open requests are by position). */
  private find(position: unknown): Ingest | undefined {
    if (typeof position !== 'number') return undefined;
    const open = this.open;
    let lo = this.oHead;
    let hi = open.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const ing = open[mid]!;
      if (position < ing.first) hi = mid - 1;
      else if (position >= ing.first + ing.items.length) lo = mid + 1;
      else return ing.finished ? undefined : ing;
    }
    return undefined;
  }
}
