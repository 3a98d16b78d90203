import { DDSketch } from '@datadog/sketches-js';
import { systemClock } from '../clock/system.js';
import type { LatencySummary, SlowItem } from '../consecutor/node-metrics.js';
import { preview } from '../errors.js';
import type { Clock } from '../types.js';

/** The window of `busy` and `rate`: the last 10 s, as Storm's capacity. */
export const WINDOW_MS = 10_000;
/** Samples kept: one at least every tenth of the window, and one more for its start. */
const SLOTS = 12;
const SAMPLE_EVERY_MS = WINDOW_MS / 10;
/** One synchronous call in so many is timed (a power of 2). */
export const SAMPLE_EVERY = 16;

/**
 * A counter's recent history, sampled on the run's tick (never per item), so that its rate over
 * the last {@link WINDOW_MS} is known at any moment: (now's value − the value at the oldest
 * sample inside the window) / the time between them.
 *
 * @example
 * ```ts
 * const received = new Window(0);
 * received.sample(1_000, 50);
 * received.perSecond(2_000, 150); // 100
 * ```
 */
export class Window {
  private readonly times = new Float64Array(SLOTS);
  private readonly values = new Float64Array(SLOTS);
  private count = 1;
  private head = 1;

  /** `start`: when counting began (its value 0). */
  constructor(start: number) {
    this.times[0] = start;
  }

  /** Records `value` at `now`, unless the last sample is younger than a tenth of the window. */
  sample(now: number, value: number): void {
    const last = (this.head + SLOTS - 1) % SLOTS;
    if (now - this.times[last]! < SAMPLE_EVERY_MS) return;
    this.times[this.head] = now;
    this.values[this.head] = value;
    this.head = (this.head + 1) % SLOTS;
    if (this.count < SLOTS) this.count++;
  }

  /** How much the counter grew since the window's start, and over how many ms (0 when no time passed). */
  growth(now: number, value: number): { readonly by: number; readonly ms: number } {
    // The oldest sample not older than the window; else the newest one (a quiet stretch between ticks).
    let pick = -1;
    for (let k = this.count; k >= 1; k--) {
      const i = (this.head - k + SLOTS) % SLOTS;
      if (now - this.times[i]! <= WINDOW_MS) {
        pick = i;
        break;
      }
    }
    if (pick < 0) pick = (this.head - 1 + SLOTS) % SLOTS;
    return { by: value - this.values[pick]!, ms: Math.max(0, now - this.times[pick]!) };
  }

  /** The counter's growth per second over the window. */
  perSecond(now: number, value: number): number {
    const g = this.growth(now, value);
    return g.ms <= 0 ? 0 : (g.by * 1000) / g.ms;
  }
}

/** What a node with lanes reports besides its counts: items waiting, the oldest in flight, its workers. */
export interface GaugeSource {
  queued(): number;
  /** Up to `n` items in flight, oldest first, as of `now` (the gauge's time). */
  slowest(now: number, n: number): SlowItem[];
  /** The time lanes have been working on what they hold now, each lane's capped at `cap` ms. */
  laneTime(now: number, cap: number): number;
  workers?(): { readonly running: number; readonly idle: number };
}

/**
 * The gauges of a node that runs calls in lanes (`node()` with its concurrency, `offload()` with
 * its workers): how long each item held a lane (a streaming DDSketch of 1 % relative accuracy,
 * never a sorted array), and the lanes' busy time, from which `busy` over the window is derived.
 * Every async call is timed (two clock reads); one synchronous call in {@link SAMPLE_EVERY},
 * standing for the others. The counts are exact either way.
 *
 * @example
 * ```ts
 * declare const source: GaugeSource;
 * const gauge = new NodeGauge(systemClock, 8, source);
 * const slot = gauge.start(); // when an item takes its lane
 * gauge.ended(slot);           // when it leaves it
 * ```
 */
export class NodeGauge {
  /** The time of the gauge, in ms: monotonic and sub-millisecond on the system clock. */
  readonly time: () => number;
  private readonly sketch = new DDSketch({ relativeAccuracy: 0.01 });
  private max = 0;
  private busyMs = 0;
  private calls = 0;
  /** Start times of the items being timed, by slot; `free` holds the slots not in use. */
  private starts = new Float64Array(0);
  private readonly free: number[] = [];
  private readonly busyWindow: Window;

  constructor(
    clock: Clock,
    private readonly lanes: number,
    readonly source: GaugeSource,
  ) {
    this.time = clock === systemClock ? performance.now.bind(performance) : () => clock.now();
    this.busyWindow = new Window(this.time());
  }

  /**
   * When an item takes its lane: the time for one item in {@link SAMPLE_EVERY}, 0 for the others
   * (a synchronous call is over in a few hundred nanoseconds: timing each would double its cost).
   * A sampled item counts {@link SAMPLE_EVERY} times; an async call is timed always (see ended).
   */
  sampledStart(): number {
    return (++this.calls & (SAMPLE_EVERY - 1)) === 0 ? this.start() : 0;
  }

  /**
   * Starts timing an item: the time goes in a slot of this gauge, and the item keeps the slot's
   * number (a small integer, so that the item's object never holds a boxed double).
   */
  start(): number {
    if (this.free.length === 0) this.grow();
    const slot = this.free.pop()!;
    this.starts[slot] = this.time();
    return slot;
  }

  /** When the item timed in `slot` took its lane (the gauge's time). */
  startOf(slot: number): number {
    return this.starts[slot]!;
  }

  /** The item timed in `slot` left its lane; it stands for `weight` items. */
  ended(slot: number, weight = 1): void {
    const ms = this.time() - this.starts[slot]!;
    this.free.push(slot);
    if (ms > this.max) this.max = ms;
    this.busyMs += ms * weight;
    this.sketch.accept(ms, weight);
  }

  private grow(): void {
    const next = new Float64Array(Math.max(16, this.starts.length * 2));
    next.set(this.starts);
    // Slot 0 is "not timed".
    for (let i = next.length - 1; i >= Math.max(1, this.starts.length); i--) this.free.push(i);
    this.starts = next;
  }

  /** A worker spent `ms` on a batch of `items`: each item is counted with the batch's time per item. */
  took(ms: number, items: number): void {
    const each = ms / items;
    if (each > this.max) this.max = each;
    this.busyMs += ms;
    this.sketch.accept(each, items);
  }

  /** Called on the run's tick. */
  sample(): void {
    this.busyWindow.sample(this.time(), this.busyMs);
  }

  /** Lanes' working share over the window, 0..1: ended calls' time, plus the time so far of those in flight. */
  busy(): number {
    const now = this.time();
    const g = this.busyWindow.growth(now, this.busyMs);
    if (g.ms <= 0) return 0;
    const open = this.source.laneTime(now, g.ms);
    return Math.min(1, Math.max(0, (g.by + open) / (g.ms * this.lanes)));
  }

  latency(): LatencySummary | undefined {
    if (this.sketch.count === 0) return undefined;
    return { p50: round(this.sketch.getValueAtQuantile(0.5)), p99: round(this.sketch.getValueAtQuantile(0.99)), max: round(this.max) };
  }
}

/** Milliseconds to three decimals (a microsecond): what a reader can use. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** What {@link oldest} needs of an item in flight. */
export interface InFlight {
  /** When it took its lane (the gauge's time). */
  readonly start: number;
  readonly anchor: unknown;
  readonly value: unknown;
}

/**
 * The `n` items of `held` in flight longest, oldest first, as {@link SlowItem}s: only when a
 * snapshot is taken, so the cost is the snapshot's, not the items'.
 *
 * @example
 * ```ts
 * declare const pending: Set<{ started: number; root: unknown; item: unknown }>;
 * const five = oldest(pending, performance.now(), 5, (p) => ({ start: p.started, anchor: p.root, value: p.item }));
 * ```
 */
export function oldest<T>(held: Iterable<T>, now: number, n: number, view: (t: T) => InFlight): SlowItem[] {
  if (n <= 0) return [];
  const all: InFlight[] = [];
  for (const t of held) all.push(view(t));
  all.sort((a, b) => a.start - b.start);
  const out: SlowItem[] = [];
  for (const f of all.slice(0, n)) {
    const id = (f.anchor as { id?: unknown } | null)?.id;
    out.push({ root: typeof id === 'number' ? id : -1, ms: round(Math.max(0, now - f.start)), preview: preview(f.value, 80) });
  }
  return out;
}
