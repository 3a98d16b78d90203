import { Observable } from 'rxjs';

/** Where a stage sends what it emits: the next stage itself (a direct link), or an RxJS Subscriber. */
export interface Sink<T> {
  next(value: T): void;
  error(e: unknown): void;
  complete(): void;
}

/** Ends a link: the upstream stops sending to the sink it was given. */
export type Teardown = () => void;

const noop: Teardown = () => {};

/**
 * An Observable made by one of our stages. To RxJS (a foreign operator, a user's `subscribe`) it
 * is an ordinary Observable. Our own stages link to it directly with {@link connect}: the upstream
 * calls the downstream stage's sink with no RxJS Subscriber between them, which saves the
 * Subscriber, SafeSubscriber and ConsumerObserver hops and their try/catch on every item (about a
 * third of W1's instructions). What RxJS's wrappers gave, a direct link gives by contract:
 * - a sink is not called after its teardown or after `error`/`complete` (each stage guards what
 *   it sends asynchronously; synchronous stages cannot send late);
 * - what a sink throws propagates to the stage that called it, and so to the run's pump, which
 *   fails the run with it (RxJS would report it asynchronously as an unhandled error).
 *
 * @example
 * ```ts
 * const ones = new Linkable<number>((sink) => {
 *   sink.next(1);
 *   sink.complete();
 *   return () => {};
 * });
 * connect(ones, { next: (x) => console.log(x), error: console.error, complete: () => {} }); // direct
 * ones.subscribe((x) => console.log(x)); // through RxJS
 * ```
 */
export class Linkable<T> extends Observable<T> {
  constructor(readonly start: (sink: Sink<T>) => Teardown | void) {
    super((subscriber) => start(subscriber) ?? undefined);
  }
}

/** Connects `sink` to `upstream`: directly when it is one of ours, through `subscribe` otherwise. */
export function connect<T>(upstream: Observable<T>, sink: Sink<T>): Teardown {
  if (upstream instanceof Linkable) return (upstream as Linkable<T>).start(sink) ?? noop;
  const sub = upstream.subscribe(sink);
  return () => sub.unsubscribe();
}

/**
 * A sink that stops forwarding once closed: what a stage that may emit asynchronously (an async
 * node, a write confirmed later) hands its code, so that nothing reaches the next stage after the
 * link was torn down or ended (what RxJS's Subscriber.isStopped did).
 */
export class Guarded<T> implements Sink<T> {
  closed = false;

  /** `inputs`: how many upstreams call it; it completes when the last of them has (a merge). */
  constructor(
    private readonly sink: Sink<T>,
    private inputs = 1,
  ) {}

  next(value: T): void {
    if (!this.closed) this.sink.next(value);
  }

  error(e: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.error(e);
  }

  complete(): void {
    if (this.closed || --this.inputs > 0) return;
    this.closed = true;
    this.sink.complete();
  }
}
