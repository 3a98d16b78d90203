import type { Consecutor } from '../consecutor/consecutor.js';
import type { RunReport } from '../consecutor/report.js';
import { liveView, type ViewStream } from '../observe/live-view.js';
import { serveMetrics } from '../observe/serve-metrics.js';
import type { Source, SourceLike } from '../sources/source.js';

/** Where a command-line run writes and what it listens to; the process's own by default. */
export interface ExitOptions {
  /** Where the report goes (stdout is left to the pipeline's own output). */
  readonly stderr?: { write(text: string): unknown };
  /** Signals come from here. */
  readonly signals?: SignalSource;
  /** Called with 128 + the signal's number on a second signal. */
  readonly exit?: (code: number) => void;
  /** The name the report starts with. */
  readonly name?: string;
  /** Serve Prometheus metrics on this port of 127.0.0.1 while the run lasts (see serveMetrics). */
  readonly metricsPort?: number;
  /** Draw the live view (liveView) on stderr while it runs, when stderr is a terminal. @default true */
  readonly view?: boolean;
}

/** What a run listens to for SIGINT and SIGTERM: `process`, or a stand-in in tests. */
export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Runs a consecutor as a command-line program does: until its source ends, or until SIGINT or
 * SIGTERM, which stops it gracefully (reading ends, items in flight drain within `drainMs`, the
 * store closes). A second signal exits at once with 128 + its number; a durable store's journal
 * still holds what was in flight, and the next run replays it. Shows the live view on stderr when
 * it is a terminal, prints the report to stderr and resolves with the exit code: 0 when the
 * report is ok, 1 when not.
 *
 * @example
 * ```ts
 * import { Consecutor } from '../consecutor/consecutor.js';
 * import { map } from '../../operators/map.js';
 * import { runToExit } from './lifecycle.js';
 *
 * process.exitCode = await runToExit(new Consecutor(map('double', (x: number) => x * 2)), [1, 2, 3]);
 * ```
 */
export async function runToExit<I>(c: Consecutor<I, unknown>, source: Source<I> | SourceLike<I>, options: ExitOptions = {}): Promise<number> {
  const stderr = options.stderr ?? process.stderr;
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const handlers = (Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]).map((signal) => {
    const listener = () => {
      if (stopping) {
        stderr.write(`${signal} again: exiting now; a durable store replays what was in flight on its next run\n`);
        exit(128 + SIGNALS[signal]);
        return;
      }
      stopping = true;
      stderr.write(`${signal}: stopping, draining what is in flight (${signal} again to exit now)\n`);
      c.stop().catch(() => {});
    };
    signals.on(signal, listener);
    return { signal, listener };
  });
  try {
    const server = options.metricsPort === undefined ? undefined : await serveMetrics(c, { port: options.metricsPort });
    if (server !== undefined) stderr.write(`metrics: http://127.0.0.1:${server.port}/metrics\n`);
    const tty = (stderr as { isTTY?: boolean }).isTTY === true;
    const done = c.run(source);
    const view = options.view !== false && tty ? liveView(c, { stream: stderr as ViewStream }) : undefined;
    try {
      const report = await done;
      view?.stop();
      stderr.write(`${formatReport(report, options.name)}\n`);
      return report.ok ? 0 : 1;
    } finally {
      view?.stop();
      await server?.close();
    }
  } finally {
    for (const h of handlers) signals.off(h.signal, h.listener);
  }
}

/**
 * A run's report in a few lines: the totals, one line per node, and the last failures.
 *
 * @example
 * ```ts
 * import type { RunReport } from '../consecutor/report.js';
 * import { formatReport } from './lifecycle.js';
 *
 * declare const report: RunReport;
 * console.error(formatReport(report, 'orders'));
 * // orders: ok, 12 ingested, 12 completed, 0 dead-lettered, 0 pending (confirm, 0.2 s)
 * ```
 */
export function formatReport(report: RunReport, name = 'run'): string {
  const status = report.ok ? 'ok' : 'NOT OK';
  const how = `${report.guarantee}, ${(report.durationMs / 1000).toFixed(1)} s${report.stopped ? ', stopped' : ''}`;
  const totals = [`${report.ingested} ingested`, `${report.completed} completed`];
  if (report.retried > 0) totals.push(`${report.retried} retried`);
  totals.push(`${report.deadLettered} dead-lettered`, `${report.pending} pending`);
  if (report.errors > 0) totals.push(`${report.errors} errors`);
  const lines = [`${name}: ${status}, ${totals.join(', ')} (${how})`];
  for (const n of Object.values(report.nodes)) {
    const extra = [n.failed > 0 ? `${n.failed} failed` : '', (n.crashes ?? 0) > 0 ? `${n.crashes} worker crashes` : ''].filter((s) => s !== '');
    const flow = n.kind === 'output' ? `${n.received} written` : `${n.received} in, ${n.emitted} out`;
    lines.push(`  ${n.name} (${n.kind}): ${flow}${extra.length > 0 ? `, ${extra.join(', ')}` : ''}`);
  }
  if (report.failures.length > 0) {
    lines.push(`last ${report.failures.length} failure${report.failures.length === 1 ? '' : 's'}:`);
    for (const f of report.failures) {
      const code = f.error.code === undefined ? '' : ` [${f.error.code}]`;
      lines.push(`  ${f.node}: ${f.error.message}${code} (attempts ${f.attempts}) item ${preview(f.item)}`);
    }
  }
  return lines.join('\n');
}

function preview(item: unknown): string {
  let text: string;
  try {
    text = typeof item === 'string' ? JSON.stringify(item) : (JSON.stringify(item) ?? String(item));
  } catch {
    text = String(item);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
