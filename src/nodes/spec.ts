import type { Either } from 'fp-ts/lib/Either.js';

/**
 * What a node's `process` may return: a value (pushed downstream), `undefined` (nothing more to
 * push), an fp-ts `Either` (`Right` pushes its value, `Left` fails the item with the Left as its
 * reason), or a promise of any of these.
 */
export type ProcessResult<O> = O | undefined | void | Either<unknown, O>;

/** What a node's `process` gets besides the value. One context per item in flight. */
export interface NodeContext<O> {
  /** The node's name. */
  readonly node: string;
  /** The attempt of this item: 0 at first, then 1, 2 ... on replays and local retries. */
  readonly attempt: number;
  /** Aborted when the call's deadline (the node's `timeoutMs`, else the run's) passes, or when the run shuts down. */
  readonly signal: AbortSignal;
  /** Emits a value downstream, anchored to this item. */
  push(value: O): void;
  /**
   * Writes a value to a named output of the consecutor; the item waits for the write's
   * confirmation, and fails with `OUTPUT_FAILED` if it is rejected. Each write is a copy of the
   * item of its own, with an idempotency key (the target's `meta.key`) that is the same when the
   * item is replayed.
   */
  write(output: string, value: unknown): void;
  /** Acks the item now (normally `process` returning does). */
  ack(): void;
  /** Fails the item now (normally `process` throwing or rejecting does). */
  fail(error: unknown): void;
}

/** What `end()` gets: pushes from `end` belong to no input item. */
export interface EndContext<O> {
  readonly node: string;
  readonly signal: AbortSignal;
  push(value: O): void;
  /** Writes a value to a named output; the run waits for its confirmation (at most timeoutMs) before it reports. */
  write(output: string, value: unknown): void;
}

/**
 * A user node: Storm's bolt. `process` is called for every item, sync or async; what it returns
 * (other than `undefined`) is pushed; returning acks the item, throwing or rejecting fails it.
 */
export interface NodeSpec<I, O> {
  /** The node's name in metrics and errors. */
  readonly name?: string;
  /** How many items an async `process` may work on at once. @default 1 */
  readonly concurrency?: number;
  /**
   * Fail an item whose `process` has not settled within this many ms (NODE_TIMEOUT; its signal
   * aborts, its lane is freed): an integer from 1 to 2147483647, the longest a Node.js timer waits.
   * Without it the consecutor's `timeoutMs` is the call's deadline, at every guarantee level
   * (inline it is checked on the run's clock tick, so it may pass up to a tenth later; in an
   * offloaded node the worker applies it to each call). A synchronous loop that never returns
   * cannot be pre-empted inline; in an offloaded node its worker is stopped as hung.
   * @default the consecutor's timeoutMs
   */
  readonly timeoutMs?: number;
  /** How many times `process` is tried again on the same item before the item fails. @default 0 */
  readonly retries?: number;
  process(value: I, ctx: NodeContext<O>): ProcessResult<O> | Promise<ProcessResult<O>>;
  /** Called once when the input has ended and every item is processed: flush, close. */
  end?(ctx: EndContext<O>): void | Promise<void>;
}

/**
 * The spec `node()` infers its types from: a {@link NodeSpec} whose `ctx` has a type parameter
 * of its own, `C`. Typing `ctx` as `NodeContext<O>` would fix `O` before `process`'s body is
 * read (to unknown, when `ctx` is not annotated), so a node that uses `ctx.signal` could not
 * take its output type from what it returns.
 */
export type InferredSpec<I, O, C> = Omit<NodeSpec<I, O>, 'process'> & {
  process(value: I, ctx: C): ProcessResult<O> | Promise<ProcessResult<O>>;
};

/**
 * The output type of a node inferred by `node()`: what `process` returns, or, for a node that
 * returns nothing (it pushes), the type of its `ctx` (`NodeContext<Located>`), or else unknown.
 */
export type InferredOutput<O, C> = [O] extends [void | undefined]
  ? C extends NodeContext<infer P>
    ? [P] extends [void | undefined]
      ? unknown
      : P
    : unknown
  : O;

/**
 * The keys a node spec written as an object literal may have: any other is refused (a misspelt
 * `concurency` would be ignored without a word). A class instance ({@link BaseNode}) may have
 * fields of its own besides: they are its state.
 */
export const NODE_SPEC_KEYS = ['name', 'concurrency', 'timeoutMs', 'retries', 'process', 'end'] as const satisfies readonly (keyof NodeSpec<unknown, unknown>)[];

/**
 * A node written as a class. Give an instance to `node()`.
 *
 * @example
 * ```ts
 * class Upper extends BaseNode<string, string> {
 *   process(s: string) { return s.toUpperCase() }
 * }
 * const p = pipe(node(new Upper()), output('upper'));
 * ```
 */
export abstract class BaseNode<I, O> implements NodeSpec<I, O> {
  /** @default the class name */
  readonly name: string = this.constructor.name;
  abstract process(value: I, ctx: NodeContext<O>): ProcessResult<O> | Promise<ProcessResult<O>>;
}
