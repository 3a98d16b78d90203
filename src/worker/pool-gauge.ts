import type { SlowItem } from '../consecutor/node-metrics.js';
import { oldest, type GaugeSource, type NodeGauge } from '../stage/gauge.js';
import type { StageContext } from '../stage/stage-context.js';
import type { NodeStats } from '../stage/stats.js';
import type { Batch } from './batch.js';
import type { Fifo } from './fifo.js';
import type { Slot } from './slot.js';

/** What an offload pool shows its gauge: the batches it holds, where they are. */
export interface PoolParts {
  readonly slots: readonly Slot[];
  /** The batch being filled. */
  open(): Batch;
  readonly ready: Fifo<Batch>;
  readonly suspects: Fifo<Batch>;
}

/**
 * An offload's gauges: items waiting for a worker (in the open, ready and suspect batches), the
 * workers working (holding a batch) and idle, and the items of the batches being processed, oldest
 * first. Read at snapshot time only.
 *
 * @example
 * ```ts
 * declare const parts: PoolParts;
 * const source = new PoolGauge(parts);
 * source.workers(); // { running: 1, idle: 1 }
 * ```
 */
export class PoolGauge implements GaugeSource {
  constructor(private readonly parts: PoolParts) {}

  queued(): number {
    let n = this.parts.open().size;
    const count = (b: Batch) => (n += b.size);
    this.parts.ready.forEach(count);
    this.parts.suspects.forEach(count);
    return n;
  }

  workers(): { running: number; idle: number } {
    let running = 0;
    let idle = 0;
    for (const s of this.parts.slots) {
      if (s.channel === undefined) continue;
      if (s.ready && s.inflight.size > 0) running++;
      else idle++;
    }
    return { running, idle };
  }

  laneTime(now: number, cap: number): number {
    let ms = 0;
    for (const s of this.parts.slots) {
      const b = s.ready ? s.inflight.peek() : undefined;
      if (b !== undefined && b.gaugeAt !== 0) ms += Math.min(cap, now - b.gaugeAt);
    }
    return ms;
  }

  slowest(now: number, n: number): SlowItem[] {
    const held: { start: number; anchor: unknown; value: unknown }[] = [];
    for (const s of this.parts.slots) {
      const b = s.ready ? s.inflight.peek() : undefined;
      if (b === undefined || b.gaugeAt === 0) continue;
      for (let i = 0; i < b.size; i++) held.push({ start: b.gaugeAt, anchor: b.envs[i]!.anchor, value: b.envs[i]!.value });
    }
    return oldest(held, now, n, (h) => h);
  }
}

/**
 * What a pool tells its gauge: when a worker starts on a batch, and how long it took. Nothing when
 * the run keeps no gauges (`metrics: false`, or outside a run).
 *
 * @example
 * ```ts
 * declare const [host, stats, parts]: ConstructorParameters<typeof PoolMeter>;
 * declare const batch: Parameters<PoolMeter['begun']>[0];
 * const meter = new PoolMeter(host, stats, parts);
 * meter.begun(batch);
 * meter.took(12, batch.size); // the worker's answer: 12 ms for the batch
 * ```
 */
export class PoolMeter {
  private readonly gauge: NodeGauge | undefined;

  constructor(host: StageContext, stats: NodeStats, parts: PoolParts) {
    this.gauge = host.measure(stats, parts.slots.length, new PoolGauge(parts));
  }

  /** A worker starts on `batch`: its items' age at the node runs from now. */
  begun(batch: Batch): void {
    if (this.gauge !== undefined) batch.gaugeAt = this.gauge.time();
  }

  /** A worker answered a batch of `items` after `ms` of its own time. */
  took(ms: number, items: number): void {
    this.gauge?.took(ms, items);
  }
}
