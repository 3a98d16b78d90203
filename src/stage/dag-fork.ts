import { Envelope } from '../envelope/envelope.js';
import { childHi, childLo, split, type SplitSeed } from '../envelope/split.js';
import { ConsecutionError, preview } from '../errors.js';
import { failAt } from './fail.js';
import type { Sink } from './link.js';
import { callOrFail, FAILED } from './operate.js';
import type { NodeStats } from './stats.js';

/** A segment's outgoing edge: to its one child as is, or to each of several, split as broadcast splits. */
export class Fork implements Sink<Envelope<unknown>> {
  private targets: readonly Sink<Envelope<unknown>>[] = [];

  constructor(private readonly seed: SplitSeed) {}

  to(targets: readonly Sink<Envelope<unknown>>[]): void {
    this.targets = targets;
  }

  next(env: Envelope<unknown>): void {
    const t = this.targets;
    const k = t.length;
    if (k === 1) {
      t[0]!.next(env);
      return;
    }
    const { value, anchor, attempt } = env;
    const seed = this.seed;
    split(env, k, seed);
    t[0]!.next(env);
    for (let i = 1; i < k; i++) t[i]!.next(new Envelope(value, anchor, childHi(seed, i), childLo(seed, i), attempt));
  }

  error(e: unknown): void {
    for (const t of this.targets) t.error(e);
  }

  complete(): void {
    for (const t of this.targets) t.complete();
  }
}

/** A route segment's outgoing edge: each item to the one child `pick` names (or `default`). */
export class RouteFork implements Sink<Envelope<unknown>> {
  private targets: readonly Sink<Envelope<unknown>>[] = [];
  private readonly index: Record<string, number> = Object.create(null) as Record<string, number>;
  private readonly fallback: number | undefined;

  constructor(
    private readonly stats: NodeStats,
    private readonly pick: (value: unknown) => string | number,
    private readonly labels: readonly string[],
  ) {
    labels.forEach((l, i) => (this.index[l] = i));
    this.fallback = this.index['default'];
  }

  to(targets: readonly Sink<Envelope<unknown>>[]): void {
    this.targets = targets;
  }

  next(env: Envelope<unknown>): void {
    const stats = this.stats;
    stats.received++;
    const key = callOrFail(stats, env, this.pick, env.value);
    if (key === FAILED) return;
    const target = this.targets[this.index[String(key)] ?? this.fallback ?? -1];
    if (target === undefined) {
      const error = new ConsecutionError(
        'ROUTE_UNMATCHED',
        `route "${stats.name}": ${preview(key)} for item ${preview(env.value)} names no child (children: ${this.labels.join(', ')})`,
        { node: stats.name, retryable: false },
      );
      failAt(stats, env, env.value, error);
      return;
    }
    stats.emitted++;
    target.next(env);
  }

  error(e: unknown): void {
    for (const t of this.targets) t.error(e);
  }

  complete(): void {
    for (const t of this.targets) t.complete();
  }
}
