import type { Holder } from '../acker/blame.js';
import { UntrackedAnchor } from '../acker/untracked.js';
import type { StateCell } from '../stage/state.js';
import type { Journal } from '../store/store.js';
import { tickOf, Acker, type Guarantee } from '../acker/acker.js';
import type { Envelope, Node } from '../envelope/envelope.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { OutputSet } from '../outputs/set.js';
import type { OutputWriter } from '../outputs/writer.js';
import { Writes } from '../outputs/writes.js';
import { sourceContext } from '../sources/context.js';
import type { Source } from '../sources/source.js';
import { connect, Linkable, type Sink, type Teardown } from '../stage/link.js';
import { withStageContext, NodeRegistry, type StageContext, type OrderView } from '../stage/stage-context.js';
import type { ChainCount, NodeStats } from '../stage/stats.js';
import { Window, type GaugeSource, type NodeGauge } from '../stage/gauge.js';
import { Admission } from './admission.js';
import { storeFailure } from './group-commit.js';
import { StateCells } from './cells.js';
import type { Mode, ResolvedOptions } from './options.js';
import type { Metrics, RunReport } from './report.js';
import { Settlement } from './settlement.js';
import { drainTimeout, Stopping } from './stop.js';
import { UntrackedFailures, metricsOf, reportOf, type RunTally } from './summary.js';
import { terminalOf } from './terminal.js';
import type { Clock, TimerHandle } from '../types.js';

/**
 * One run of a pipeline over one source: the host its stages are built for, the acker (Storm's
 * acker), the admission that pumps the source under `maxPending` (admission.ts), what happens when
 * an item settles (settlement.ts), the writes it waits for (outputs/writes.ts), and the outputs.
 * This file wires them and ends the run.
 */
export class Run implements StageContext {
  readonly guarantee: Guarantee;
  readonly checks: boolean;
  readonly mode: Mode;
  readonly timeoutMs: number;
  readonly untracked: UntrackedAnchor;
  drained = false;
  readonly clock: Clock;
  /** The coarse clock (epoch ms), advanced on each tick. */
  now: number;
  readonly done: Promise<RunReport>;

  private readonly options: ResolvedOptions;
  private readonly acker: Acker | undefined;
  private readonly registry: NodeRegistry;
  /** Items admitted, sampled on the tick: the run's rate. */
  private readonly admitted: Window;
  private readonly abort = new AbortController();
  private readonly channels: OutputSet;
  private readonly drainers: (() => void)[] = [];
  private readonly tickers: (() => void)[] = [];
  /** Every write to an output (and of dead letters to the store): the run waits for them before it reports. */
  private readonly writes: Writes;
  /** Where items' work is held, asked when an item times out: the writers, then the stages. */
  private readonly holders: Holder[] = [];
  private readonly untrackedFailures: UntrackedFailures;
  private readonly started: number;
  private readonly source: Source<unknown>;
  private readonly store: Journal;
  private readonly cells: StateCells;
  private readonly stopping: Stopping;
  private readonly admission: Admission;
  private subscription: Teardown | undefined;
  private timer: TimerHandle | undefined;
  private finished = false;
  private resolve!: (r: RunReport) => void;
  private reject!: (e: unknown) => void;

  constructor(source: Source<unknown>, options: ResolvedOptions, channels: OutputSet, store: Journal) {
    this.source = source;
    this.store = store;
    this.options = options;
    this.clock = options.clock;
    this.now = this.started = options.clock.now();
    this.registry = new NodeRegistry(options.metrics ? options.clock : undefined);
    this.admitted = new Window(this.started);
    this.stopping = new Stopping(options.clock);
    this.guarantee = options.guarantee;
    this.checks = options.checks;
    this.mode = options.mode;
    this.timeoutMs = options.timeoutMs;
    this.channels = channels;
    this.untrackedFailures = new UntrackedFailures(options.keepFailures, options.clock);
    this.untracked = new UntrackedAnchor((f) => this.untrackedFailures.add(f));
    this.writes = new Writes(this, options.timeoutMs, this.untracked);
    this.cells = new StateCells(store, (e) => this.fatal(storeFailure(e)));
    const { holders, writes, cells } = this;
    holders.push(writes);
    const settlement = new Settlement({ store, cells, channels, writes, holders, keepFailures: options.keepFailures });
    const { guarantee, retries, timeoutMs, keepFailures, clock } = options;
    this.acker = guarantee === 'none' ? undefined : new Acker({ guarantee, retries, timeoutMs, keepFailures, firstId: store.nextId(), scope: store.scope(), source: source.name, clock }, settlement);
    this.admission = new Admission({
      source,
      store,
      clock: options.clock,
      acker: this.acker,
      untracked: this.untracked,
      maxPending: options.maxPending,
      stopping: this.stopping,
      drainers: this.drainers,
      registry: this.registry,
      writes: this.writes,
      fatal: (e) => this.fatal(e),
      drained: () => (this.drained = true),
    });
    settlement.admission = this.admission;
    this.done = new Promise<RunReport>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /**
   * Builds the pipeline for this run and starts pulling the source, once the outputs' targets
   * with an `open()` have opened (at once if none has): one that fails to open fails the run, and
   * nothing is read.
   */
  start(pipeline: Node<unknown, unknown>): void {
    try {
      const opening = this.channels.open(this.timeoutMs, this.clock);
      opening?.catch((e: unknown) => this.fatal(e));
      const input = new Linkable<Envelope<unknown>>((subscriber) => {
        if (opening === undefined) this.admit(subscriber);
        else opening.then(() => this.admit(subscriber), noop).catch((e: unknown) => this.fatal(e));
      });
      const out = withStageContext(this, () => pipeline(input));
      // Under 'none' too: node calls, workers and writes that never answer must not hold the run.
      this.timer = this.clock.setInterval(() => this.tick(), tickOf(this.options.timeoutMs));
      const terminal = terminalOf(this.channels, this.writes);
      this.subscription = withStageContext(this, () =>
        connect(out, {
          // After the run ended, nothing more is written (a direct link has no Subscriber to stop it).
          next: (env) => {
            if (!this.finished) terminal(env);
          },
          error: (e: unknown) => this.fatal(e),
          complete: () => void this.finish(),
        }),
      );
      // The run may have ended inside subscribe (a synchronous source that failed at once): end()
      // found no subscription to close then, and the stages' resources (workers) would stay.
      if (this.finished) this.subscription();
      this.channels.built(this.registry.nodes.some((s) => s.kind === 'node'));
    } catch (e) {
      this.fatal(e);
    }
  }

  /** Starts the input: the journal's items first, then the source's. */
  private admit(subscriber: Sink<Envelope<unknown>>): void {
    if (this.finished) return;
    const admission = this.admission;
    admission.input = subscriber;
    // A run stopped before it started reads nothing, not even its journal.
    if (!this.stopping.requested) {
      this.cells.restoreJournal(this.source, this.acker!, admission.replays);
      admission.open(this.source.open(this.store.position(), sourceContext(this.store, this.source.name, this.clock, this.abort.signal)));
    }
    admission.pump();
  }

  register(kind: string, name: string | undefined): NodeStats {
    return this.registry.register(kind, name);
  }

  onDrain(flush: () => void): void {
    this.drainers.push(flush);
  }

  countChain(count: ChainCount): void {
    this.registry.chains.push(count);
  }

  onTick(fn: () => void): void {
    this.tickers.push(fn);
  }

  addHolder(holder: Holder): void {
    this.holders.push(holder);
  }

  measure(stats: NodeStats, lanes: number, source: GaugeSource): NodeGauge | undefined {
    return this.registry.measure(stats, lanes, source);
  }

  private tick(): void {
    const now = (this.now = this.clock.now());
    // Stages first: a node call past its own deadline fails with the more precise NODE_TIMEOUT.
    for (const fn of this.tickers) fn();
    this.registry.sample();
    this.admitted.sample(now, this.ingested());
    this.acker?.expire(now);
    this.writes.sweep(now);
  }

  state(node: string, snapshot: () => unknown, release: (env: Envelope<unknown>) => void): StateCell | undefined {
    if (this.acker === undefined || (this.guarantee !== 'replay' && !this.store.durable)) return undefined;
    return this.cells.add(node, snapshot, release);
  }

  order(): OrderView | undefined {
    return this.acker?.orderView();
  }

  holdSource(): void {
    this.admission.hold();
  }

  releaseSource(): void {
    this.admission.release();
  }

  output(name: string, node: string, stats?: NodeStats): OutputWriter {
    const ch = this.channels.writer(name, node);
    return stats === undefined ? this.writes.nodeWriter(ch, node) : this.writes.writer(ch, { node: stats.name, stats });
  }

  // --- Ending ------------------------------------------------------------------------------------

  /**
   * Stops reading, as if the source had ended here: the input ends once what is in flight has
   * settled, within drainMs (see Consecutor.stop). A replay due now is not sent in: it stays
   * pending (in a durable store's journal) for the next run.
   */
  stop(): void {
    if (this.finished || !this.stopping.request(this.options.drainMs, () => this.drainPassed())) return;
    this.admission.stop();
  }

  /** drainMs passed after a stop: the run ends now, and what has not settled stays pending. */
  private drainPassed(): void {
    if (this.finished) return;
    const error = drainTimeout(this.options.drainMs, this.acker?.pending, this.store.durable);
    this.untrackedFailures.add({ node: 'consecutor', value: undefined, error });
    void this.end().then(
      () => this.resolve(this.report()),
      (e: unknown) => this.reject(e),
    );
  }

  private fatal(e: unknown): void {
    if (this.finished) return;
    const error =
      e instanceof ConsecutionError ? e : new ConsecutionError('PIPELINE_ERROR', `the pipeline failed: ${messageOf(e)}`, { cause: e });
    void this.end(error).then(
      () => this.reject(error),
      () => this.reject(error),
    );
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    await this.writes.waitAll();
    // drainMs may have passed meanwhile, and ended the run.
    if (this.finished) return;
    await this.end();
    this.resolve(this.report());
  }

  /** Shuts the run down; its outputs end with `error` if it failed. */
  private async end(error?: Error): Promise<void> {
    this.finished = true;
    this.clock.clearInterval(this.timer);
    this.admission.close();
    this.abort.abort();
    this.subscription?.();
    this.channels.close(error);
    await this.stopping.ended(this.admission.reader);
    for (const f of await this.channels.closeTargets(this.timeoutMs, this.clock)) this.untrackedFailures.add(f);
    await this.store.close();
  }

  metrics(): Metrics {
    return metricsOf(this.tally());
  }

  private report(): RunReport {
    return reportOf(this.tally(), { guarantee: this.guarantee, started: this.started, ended: this.clock.now(), stopped: this.stopping.requested });
  }

  private ingested(): number {
    return this.acker?.ingested ?? this.admission.untrackedIngested;
  }

  private tally(): RunTally {
    const { acker, admission, untrackedFailures: untracked, registry } = this;
    const progress = admission.reader?.progress?.();
    const gauges = { rate: this.admitted.perSecond(this.clock.now(), this.ingested()), blockedMs: admission.blocked.ms(), ...(progress === undefined ? {} : { progress }) };
    return { running: !this.finished, acker, untrackedIngested: admission.untrackedIngested, untracked, registry, ...gauges };
  }
}

function noop(): void {}
