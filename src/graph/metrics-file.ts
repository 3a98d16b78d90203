import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Metrics } from '../consecutor/report.js';
import { ConsecutionError, previewTyped } from '../errors.js';
import { pathText } from '../config/issues.js';

/** The version of the snapshot file format that {@link saveMetrics} writes and {@link loadMetrics} reads. */
export const METRICS_FILE_VERSION = 1;

const count = z.number().int().nonnegative();
const share = z.number().min(0).max(1);
const gauge = z.number().nonnegative();

const nodeMetrics = z.looseObject({
  name: z.string(),
  kind: z.string(),
  received: count,
  emitted: count,
  acked: count,
  failed: count,
  inFlight: count,
  crashes: count.optional(),
  queued: count,
  busy: share,
  rate: gauge,
  latency: z.looseObject({ p50: gauge, p99: gauge, max: gauge }).optional(),
  workers: z.looseObject({ running: count, idle: count }).optional(),
  slowest: z.array(z.looseObject({ root: count, ms: gauge, preview: z.string() })),
});

const metrics = z.looseObject({
  ingested: count,
  completed: count,
  failed: count,
  retried: count,
  deadLettered: count,
  errors: count,
  nodes: z.record(z.string(), nodeMetrics),
  rate: gauge,
  blockedMs: gauge,
  replayed: count,
  progress: z.looseObject({ done: gauge, total: gauge, unit: z.enum(['items', 'bytes']) }).optional(),
  running: z.boolean(),
  pending: count,
});

// Loose objects: a snapshot written by a later 1.x, with more gauges, still loads here.
const snapshotFile = z.looseObject({ version: z.literal(METRICS_FILE_VERSION), metrics });

/**
 * Writes a metrics snapshot (`c.metrics()`, or what a run ended with) to `file` as JSON,
 * `{ "version": 1, "metrics": {...} }`, for drawing later with {@link loadMetrics} and
 * {@link toSvg} (`consecution graph pipeline.yaml --metrics metrics.json`).
 *
 * @example
 * ```ts
 * declare const c: Consecutor<string, number>;
 * await c.run(['1', '2']);
 * await saveMetrics('metrics.json', c.metrics());
 * ```
 */
export async function saveMetrics(file: string, snapshot: Metrics): Promise<void> {
  await writeFile(file, `${JSON.stringify({ version: METRICS_FILE_VERSION, metrics: snapshot }, null, 2)}\n`);
}

/**
 * Reads a metrics snapshot written by {@link saveMetrics}. Throws CONFIG_INVALID naming the file
 * and what is wrong with it: unreadable, not JSON, another version, or each field that is missing
 * or of the wrong type (with its path, e.g. `metrics.nodes.parse.received`).
 *
 * @example
 * ```ts
 * declare const pipeline: Node<string, number>;
 * const svg = await toSvg(describe(pipeline), await loadMetrics('metrics.json'));
 * ```
 */
export async function loadMetrics(file: string): Promise<Metrics> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConsecutionError('CONFIG_INVALID', `${file}: cannot read the metrics snapshot: ${(e as Error).message}`, { cause: e });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConsecutionError('CONFIG_INVALID', `${file}: not a metrics snapshot (not JSON: ${(e as Error).message})`, { cause: e });
  }
  const parsed = snapshotFile.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${pathText(issue.path as (string | number)[])}: ${what(issue, value)}`);
    const more = parsed.error.issues.length > problems.length ? `\n(and ${parsed.error.issues.length - problems.length} more)` : '';
    throw new ConsecutionError('CONFIG_INVALID', `${file}: not a metrics snapshot (version ${METRICS_FILE_VERSION}):\n${problems.join('\n')}${more}`);
  }
  return parsed.data.metrics as Metrics;
}

function what(issue: z.core.$ZodIssue, value: unknown): string {
  let got = value;
  for (const p of issue.path) got = got !== null && typeof got === 'object' ? (got as Record<PropertyKey, unknown>)[p] : undefined;
  if (got === undefined) return issue.code === 'invalid_type' ? `missing (expected ${issue.expected})` : issue.message;
  const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.code === 'invalid_value' ? `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}` : issue.message;
  return `${expected}, got ${previewTyped(got)}`;
}
