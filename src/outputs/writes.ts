import { blameOf, type Blame, type Holder } from '../acker/blame.js';
import { slackOf } from '../acker/acker.js';
import type { Anchor } from '../envelope/envelope.js';
import type { Sink } from './channel.js';
import { Writer, type WriteOwner, type WriterOptions } from './writer.js';

/**
 * Every writer of one run (see {@link Writer}) and the writes they await: swept on the run's tick,
 * asked where an item is stuck when it times out, and waited for before the run reports.
 *
 * @example
 * ```ts
 * import type { Anchor, Envelope } from '../envelope/envelope.js';
 * import type { Sink } from './channel.js';
 * import { Writes } from './writes.js';
 * declare const clock: { readonly now: number }; // the run's coarse clock
 * declare const untracked: Anchor;
 * declare const sink: Sink;
 * declare const env: Envelope<unknown>;
 * const writes = new Writes(clock, 30_000, untracked);
 * const end = writes.writer(sink, { node: 'default' });
 * end.write(env.value, env.anchor, env.hi, env.lo, env.attempt);
 * await writes.waitAll();
 * ```
 */
export class Writes implements WriteOwner, Holder {
  readonly timeoutMs: number;
  readonly untracked: Anchor;
  private readonly clock: { readonly now: number };
  private readonly writers: Writer[] = [];
  /** The writers of user nodes (ctx.write), by output and node: made on a node's first write. */
  private readonly ofNodes = new Map<Sink, Map<string, Writer>>();
  /** When an untracked write is past its timeoutMs for sure (the coarse clock's tick more); never when timeoutMs <= 0. */
  private readonly limit: number;
  private awaited = 0;
  /** Wakes waitAll() when a write is done or given up. */
  private wake: (() => void) | undefined;

  /**
   * @param clock the run's coarse clock, read when a write is made.
   * @param untracked the run's anchor of values of no tracked item.
   */
  constructor(clock: { readonly now: number }, timeoutMs: number, untracked: Anchor) {
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.untracked = untracked;
    this.limit = timeoutMs > 0 ? slackOf(timeoutMs) : Infinity;
  }

  get now(): number {
    return this.clock.now;
  }

  /** How many writes are still awaited. */
  get size(): number {
    return this.awaited;
  }

  /** A new writer to `sink`. */
  writer(sink: Sink, options: WriterOptions): Writer {
    const w = new Writer(this, sink, options);
    this.writers.push(w);
    return w;
  }

  /** The writer user node `node` writes `sink` with (`ctx.write`): failures and blame name the output, messages the node. */
  nodeWriter(sink: Sink, node: string): Writer {
    let byNode = this.ofNodes.get(sink);
    if (byNode === undefined) this.ofNodes.set(sink, (byNode = new Map()));
    let w = byNode.get(node);
    if (w === undefined) byNode.set(node, (w = this.writer(sink, { node: sink.name, by: node })));
    return w;
  }

  started(): void {
    this.awaited++;
  }

  settled(): void {
    this.awaited--;
    this.wake?.();
  }

  /** On each tick: gives up the writes that can no longer matter, or have waited too long. */
  sweep(now: number): void {
    for (const w of this.writers) w.sweep(now, this.limit);
  }

  /** Where the writers hold `root`: writes of it not confirmed yet. */
  where(root: Anchor, now: number): Blame | undefined {
    return blameOf(this.writers, root, now);
  }

  /** Resolves once no write is awaited (done or given up). */
  async waitAll(): Promise<void> {
    while (this.awaited > 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
  }
}
