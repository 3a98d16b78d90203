import type { NodeMetrics } from '../consecutor/node-metrics.js';
import type { Metrics } from '../consecutor/report.js';
import { cellWidth, cut, padEnd, padStart, printable } from './text-cells.js';
import { bar, bytes, count, duration, percent, rate } from './view-units.js';

/** What a frame of the live view is drawn for, beside the metrics. */
export interface TableFrame {
  /** The terminal's columns: no line is longer. */
  readonly width: number;
  /** The terminal's rows: the frame takes at most `height - 1` lines; undefined: no limit. */
  readonly height?: number | undefined;
  /** How long the run has gone on, in milliseconds. */
  readonly elapsedMs: number;
}

/** The cells of the busy bar. */
const BAR_CELLS = 10;
/** The longest bar of the progress line. */
const PROGRESS_CELLS = 40;

/** The fixed columns after the name: header, width, and whether they align right. */
const COLUMNS = [
  { title: 'kind', width: 7, right: false },
  { title: 'recv', width: 6, right: true },
  { title: 'rate/s', width: 6, right: true },
  { title: 'busy', width: BAR_CELLS + 5, right: false },
  { title: 'infl', width: 5, right: true },
  { title: 'queue', width: 5, right: true },
  { title: 'fail', width: 5, right: true },
  { title: 'oldest', width: 6, right: true },
] as const;

/** The cells the fixed columns take, with the space before each. */
const FIXED = COLUMNS.reduce((n, c) => n + 1 + c.width, 0);

/** Whether the run is going on, is over, or has not started (nothing ran on the consecutor yet). */
export function runState(m: Metrics): 'running' | 'ended' | 'waiting' {
  if (m.running) return 'running';
  return m.ingested === 0 && Object.keys(m.nodes).length === 0 ? 'waiting' : 'ended';
}

/**
 * One frame of the live view of a terminal, as lines (no escapes, no newlines): a header for the
 * run (state and elapsed time, ingested, completed, pending, dead-lettered, rate, time blocked at
 * `maxPending`), a progress bar when the source knows its length, then a table with a row per
 * node: name, kind, received, rate, a busy bar, in flight, queued, failed, and the age and preview
 * of the oldest item there. No line is wider than `width` cells: names and previews are cut
 * first, what still does not fit is cut at the end. Nodes that do not fit in `height` are
 * summed up in a last line.
 *
 * @example
 * ```ts
 * declare const c: Consecutor;
 * const lines = viewTable(c.metrics(), { width: 100, elapsedMs: 12_300 });
 * // lines[0]: 'running 12s  ingested 1200  completed 1150  pending 50  dead 0  98.0/s  blocked 0ms'
 * ```
 */
export function viewTable(m: Metrics, frame: TableFrame): string[] {
  const width = Math.max(1, Math.floor(frame.width));
  const nodes = Object.values(m.nodes);
  const head = [header(m, frame.elapsedMs, width)];
  if (m.progress !== undefined) head.push(progressLine(m.progress, width));
  const layout = layoutOf(nodes, width);
  head.push(row(layout, ['node', ...COLUMNS.map((c) => c.title)], layout.preview > 0 ? 'item' : ''));
  let rows = nodes.map((n) => nodeRow(layout, n));
  if (frame.height !== undefined) {
    const room = Math.max(0, Math.floor(frame.height) - 1 - head.length);
    if (rows.length > room && room > 0) {
      const shown = room - 1;
      rows = [...rows.slice(0, shown), `… ${nodes.length - shown} more nodes`];
    } else if (rows.length > room) {
      rows = [];
    }
  }
  const lines = [...head, ...rows].map((l) => cut(l, width).trimEnd());
  return frame.height === undefined ? lines : lines.slice(0, Math.max(1, Math.floor(frame.height) - 1));
}

function header(m: Metrics, elapsedMs: number, width: number): string {
  const fields = [
    `${runState(m)} ${duration(elapsedMs)}`,
    `ingested ${m.ingested}`,
    `completed ${m.completed}`,
    `pending ${m.pending}`,
    `dead ${m.deadLettered}`,
    `${rate(m.rate)}/s`,
    `blocked ${duration(m.blockedMs)}`,
  ];
  const spaced = fields.join('  ');
  return cellWidth(spaced) <= width ? spaced : fields.join(' ');
}

function progressLine(p: NonNullable<Metrics['progress']>, width: number): string {
  const share = p.total > 0 ? p.done / p.total : 0;
  const amount = p.unit === 'bytes' ? `${bytes(p.done)}/${bytes(p.total)}` : `${count(p.done)}/${count(p.total)} items`;
  const label = 'progress ';
  const tail = ` ${padStart(percent(share), 4)}  ${amount}`;
  const cells = Math.max(0, Math.min(PROGRESS_CELLS, width - label.length - cellWidth(tail)));
  return `${label}${bar(share, cells)}${tail}`;
}

interface Layout {
  /** The cells of the name column. */
  readonly name: number;
  /** The cells of the preview column; 0: no preview. */
  readonly preview: number;
}

/** The name column as wide as the longest name (4 to 20 cells), but down to 6 to leave a preview 8 cells. */
function layoutOf(nodes: readonly NodeMetrics[], width: number): Layout {
  const longest = nodes.reduce((n, s) => Math.max(n, cellWidth(printable(s.name))), 4);
  let name = Math.min(20, longest);
  const rest = (n: number) => width - FIXED - n - 1;
  if (rest(name) < 8) name = Math.min(name, Math.max(6, width - FIXED - 9));
  return { name, preview: Math.max(0, rest(name)) };
}

function row(layout: Layout, cells: readonly string[], preview: string): string {
  const [name = '', ...rest] = cells;
  const parts = [padEnd(name, layout.name)];
  COLUMNS.forEach((c, i) => parts.push(c.right ? padStart(rest[i] ?? '', c.width) : padEnd(rest[i] ?? '', c.width)));
  if (layout.preview > 0) parts.push(cut(preview, layout.preview));
  return parts.join(' ');
}

function nodeRow(layout: Layout, n: NodeMetrics): string {
  const oldest = n.slowest[0];
  return row(
    layout,
    [
      printable(n.name),
      printable(n.kind),
      count(n.received, 6),
      rate(n.rate),
      `${bar(n.busy, BAR_CELLS)} ${padStart(percent(n.busy), 4)}`,
      count(n.inFlight, 5),
      count(n.queued, 5),
      count(n.failed, 5),
      oldest === undefined ? '' : duration(oldest.ms),
    ],
    oldest === undefined ? '' : printable(oldest.preview),
  );
}
