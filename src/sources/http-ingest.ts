import type { FailureRecord } from '../acker/failure.js';
import type { TimerHandle } from '../types.js';

/** What one request is answered: status, JSON body, extra headers; `remember`: something of it was admitted. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether an `Idempotency-Key` keeps this answer: something of the request was admitted. */
  readonly remember: boolean;
}

/** A dead-lettered item of a request, as a 422 lists it: its lineage id, its index in the request, why. */
export interface HttpFailure {
  readonly id: number;
  readonly index: number;
  readonly node: string;
  readonly error: { readonly name: string; readonly message: string; readonly code?: string };
  readonly attempts: number;
}

/**
 * One POST on its way in: its items, how many the run has read, admitted and settled, their
 * lineage ids, and the outcome its client (and any repeat with its `Idempotency-Key`) is answered.
 * Its items' positions are `first`, `first + 1`, ...: consecutive, as the reader hands a request's
 * items to the run one after the other.
 */
export class Ingest {
  items: unknown[] = [];
  /** The text of each item (SourceReader.raw), until all are read; undefined for `text` bodies. */
  raws: string[] | undefined = undefined;
  /** Items handed to the run (read). */
  read = 0;
  /** The position of its first item, once read. */
  first = -1;
  admitted = 0;
  settled = 0;
  readonly ids: number[] = [];
  failures: HttpFailure[] | undefined;
  /** The 429 timer, while none of its items has been read. */
  waitTimer: TimerHandle | undefined;
  /** Out of the queue: refused (429, 503) before any item was read. */
  dropped = false;
  /** Cut short by a stop: only its first `read` items were taken. */
  torn = false;
  /** No more admits or confirms are expected (or wanted) for it. */
  finished = false;
  readonly outcome: Promise<Answer>;
  private answered = false;
  private resolve!: (a: Answer | Promise<Answer>) => void;
  private readonly keep: ((a: Answer) => Promise<void>) | undefined;

  /** `keep` remembers the answer under the request's Idempotency-Key (awaited before the answer goes out). */
  constructor(keep?: (a: Answer) => Promise<void>) {
    this.keep = keep;
    this.outcome = new Promise((resolve) => (this.resolve = resolve));
  }

  /** Settles the outcome once; later answers are ignored. */
  answer(a: Answer): void {
    if (this.answered) return;
    this.answered = true;
    const keep = this.keep;
    this.resolve(keep !== undefined && a.remember ? keep(a).then(() => a, () => a) : a);
  }

  /** Remembers `a` under the request's key without answering (its admission, before the completion is known). */
  note(a: Answer): void {
    void this.keep?.(a).catch(() => {});
  }

  get isAnswered(): boolean {
    return this.answered;
  }

  /** The lineage ids of the items admitted so far (a prefix: they are admitted in order). */
  admittedIds(): number[] {
    return this.ids.slice(0, this.admitted);
  }

  failed(record: FailureRecord | undefined, position: number): void {
    const e = record?.error;
    (this.failures ??= []).push({
      id: record?.root ?? this.ids[position - this.first] ?? -1,
      index: position - this.first,
      node: record?.node ?? 'unknown',
      error: e === undefined ? { name: 'Error', message: 'dead-lettered' } : { name: e.name, message: e.message, ...(e.code === undefined ? {} : { code: e.code }) },
      attempts: record?.attempts ?? 0,
    });
  }
}

/** `202 { ids }`: every item of the request was admitted (journaled, on a durable store). */
export function accepted(ing: Ingest): Answer {
  return { status: 202, body: { ids: ing.ids }, remember: true };
}

/** `200 { ids }` once every item completed, `422 { ids, failures }` if any was dead-lettered. */
export function completed(ing: Ingest): Answer {
  if (ing.failures === undefined) return { status: 200, body: { ids: ing.ids }, remember: true };
  return { status: 422, body: { ids: ing.ids, failures: ing.failures }, remember: true };
}

/** A refusal that admitted nothing: not remembered, so a retry with the same key is a new try. */
export function refused(status: number, error: string, headers?: Record<string, string>, extra?: object): Answer {
  return { status, body: { error, ...extra }, ...(headers === undefined ? {} : { headers }), remember: false };
}

/**
 * `503 { ids }` for a request whose items were only partly admitted, or admitted and not completed,
 * when the run stopped or ended. Not kept under its key: a retry would get it again and again. A
 * fully admitted request of `respond: 'completed'` keeps its `202 { ids }` (see Ingest.note); a
 * partly admitted one is forgotten, so its retry admits all its items again (at-least-once).
 */
export function cutShort(ing: Ingest, why: string, retryAfter: string): Answer {
  return { status: 503, body: { error: why, ids: ing.admittedIds() }, headers: { 'Retry-After': retryAfter }, remember: false };
}
