import { Observable, type Subscription } from 'rxjs';
import { blameOf, type Blame, type Holder } from '../acker/blame.js';
import type { FailureRecord } from '../acker/failure.js';
import { UntrackedAnchor } from '../acker/untracked.js';
import type { Root } from '../acker/root.js';
import type { StateCell } from '../stage/state.js';
import type { Store } from '../store/store.js';
import { tickOf, Acker, type Guarantee, type AckerEvents } from '../acker/acker.js';
import type { Envelope, Node } from '../envelope/envelope.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { OutputChannel } from '../outputs/channel.js';
import type { OutputSet } from '../outputs/set.js';
import type { Source } from '../sources/source.js';
import { withStageContext, NodeRegistry, type StageContext, type OrderView } from '../stage/stage-context.js';
import type { ChainCount, NodeStats } from '../stage/stats.js';
import { Admission, storeFailure } from './admission.js';
import { StateCells } from './cells.js';
import type { Mode, ResolvedOptions } from './options.js';
import type { Metrics, RunReport } from './report.js';
import { drainTimeout, Stopping } from './stop.js';
import { UntrackedFailures, metricsOf, reportOf, type RunTally } from './summary.js';
import { terminalOf } from './terminal.js';
import { Writes } from './writes.js';
import type { Clock, TimerHandle } from '../types.js';

/**
 * One run of a pipeline over one source: the host its stages are built for, the acker (Storm's
 * acker), the admission that pumps the source under `maxPending` (admission.ts), the writes it
 * waits for (writes.ts), and the outputs. This file wires them and ends the run.
 */
export class Run implements StageContext, AckerEvents {
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
  private readonly registry = new NodeRegistry();
  private readonly abort = new AbortController();
  private readonly channels: OutputSet;
  private readonly drainers: (() => void)[] = [];
  private readonly tickers: (() => void)[] = [];
  /** Writes the run waits for before it reports (see Writes.track). */
  private readonly writes: Writes;
  /** Stages holding items' work, asked when an item times out; the run's own writes first. */
  private readonly holders: Holder[] = [{ where: (root, now) => this.writes.blame(root, now) }];
  private readonly untrackedFailures: UntrackedFailures;
  private readonly started: number;
  private readonly source: Source<unknown>;
  private readonly store: Store;
  private readonly cells: StateCells;
  private readonly stopping: Stopping;
  private readonly admission: Admission;
  private subscription: Subscription | undefined;
  private timer: TimerHandle | undefined;
  private finished = false;
  private resolve!: (r: RunReport) => void;
  private reject!: (e: unknown) => void;

  constructor(source: Source<unknown>, options: ResolvedOptions, channels: OutputSet, store: Store) {
    this.source = source;
    this.store = store;
    this.options = options;
    this.clock = options.clock;
    this.now = this.started = options.clock.now();
    this.stopping = new Stopping(options.clock);
    this.guarantee = options.guarantee;
    this.checks = options.checks;
    this.mode = options.mode;
    this.timeoutMs = options.timeoutMs;
    this.channels = channels;
    this.untrackedFailures = new UntrackedFailures(options.keepFailures, options.clock);
    this.untracked = new UntrackedAnchor((f) => this.untrackedFailures.add(f));
    this.writes = new Writes(this, options.timeoutMs, (f) => this.untrackedFailures.add(f));
    this.cells = new StateCells(store, (e) => this.fatal(storeFailure(e)));
    this.acker =
      options.guarantee === 'none'
        ? undefined
        : new Acker(
            {
              guarantee: options.guarantee,
              retries: options.retries,
              timeoutMs: options.timeoutMs,
              keepFailures: options.keepFailures,
              firstId: store.nextId(),
              clock: options.clock,
            },
            this,
          );
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
    this.done = new Promise<RunReport>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Builds the pipeline for this run and starts pulling the source. */
  start(pipeline: Node<unknown, unknown>): void {
    try {
      const input = new Observable<Envelope<unknown>>((subscriber) => {
        const admission = this.admission;
        admission.input = subscriber;
        // A run stopped before it started reads nothing, not even its journal.
        if (!this.stopping.requested) {
          this.cells.restoreJournal(this.source, this.acker!, admission.replays);
          admission.reader = this.source.open(this.store.position());
        }
        admission.pump();
      });
      const out = withStageContext(this, () => pipeline(input));
      // Under 'none' too: node calls, workers and writes that never answer must not hold the run.
      this.timer = this.clock.setInterval(() => this.tick(), tickOf(this.options.timeoutMs));
      const terminal = terminalOf(this.channels, this.writes);
      this.subscription = withStageContext(this, () =>
        out.subscribe({
          next: terminal,
          error: (e: unknown) => this.fatal(e),
          complete: () => void this.finish(),
        }),
      );
      // The run may have ended inside subscribe (a synchronous source that failed at once): end()
      // found no subscription to close then, and the stages' resources (workers) would stay.
      if (this.finished) this.subscription.unsubscribe();
      this.channels.built(this.registry.nodes.some((s) => s.kind === 'node'));
    } catch (e) {
      this.fatal(e);
    }
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

  private tick(): void {
    const now = (this.now = this.clock.now());
    // Stages first: a node call past its own deadline fails with the more precise NODE_TIMEOUT.
    for (const fn of this.tickers) fn();
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

  output(name: string, node: string): OutputChannel {
    return this.channels.writer(name, node);
  }

  blame(root: Root, now: number): Blame | undefined {
    return blameOf(this.holders, root, now);
  }

  // --- Acker events --------------------------------------------------------------------------

  settled(root: Root, completed: boolean): void {
    if (completed) this.store.forget(root.id);
    this.admission.settled(root, completed);
  }

  failure(record: FailureRecord): void {
    this.store.failure(record, this.options.keepFailures);
  }

  replay(root: Root): void {
    this.cells.replaying(root);
    this.admission.replay(root);
  }

  deadLetter(record: FailureRecord): void {
    this.writes.track(this.store.deadLetter(record), () => `dead letter of item #${record.root} could not be stored`);
    const ch = this.channels.get('deadLetter');
    if (ch === undefined || !ch.requested) return;
    this.writes.track(ch.write(record), () => `dead letter of item #${record.root} could not be written`, { expires: true });
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
    this.subscription?.unsubscribe();
    this.channels.close(error);
    await this.stopping.ended(this.admission.reader);
    await this.store.close();
  }

  metrics(): Metrics {
    return metricsOf(this.tally());
  }

  private report(): RunReport {
    return reportOf(this.tally(), { guarantee: this.guarantee, started: this.started, ended: this.clock.now(), stopped: this.stopping.requested });
  }

  private tally(): RunTally {
    const { acker, admission, untrackedFailures: untracked, registry } = this;
    return { running: !this.finished, acker, untrackedIngested: admission.untrackedIngested, untracked, registry };
  }
}
