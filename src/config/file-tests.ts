import { isDeepStrictEqual } from 'node:util';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { FailureRecord } from '../acker/failure.js';
import { Consecutor } from '../consecutor/consecutor.js';
import { preview } from '../errors.js';
import { fromIterable } from '../sources/iterable.js';
import { compile } from './compile.js';
import { readConfig, type ConfigDocument } from './document.js';
import { failWith, issueProblems } from './issues.js';

/** The result of one case of a pipeline test file. */
export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  /** What differed, one line each (empty when ok). */
  readonly problems: readonly string[];
}

const testFile = z.strictObject({
  pipeline: z.string().min(1).describe('the pipeline file under test, relative to this file'),
  cases: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        set: z.array(z.string()).optional().describe('--set overrides for this case'),
        input: z.array(z.unknown()).describe("the items fed to the pipeline instead of its source's"),
        expect: z
          .record(z.string(), z.array(z.unknown()))
          .describe('per sink node: the items it must receive, in any order; deadLetter: the input items dead-lettered'),
        ordered: z.boolean().optional().describe('compare each output in order @default false'),
      }),
    )
    .min(1),
});

/**
 * Runs a pipeline test file, as Redpanda Connect's `test` does: each case feeds its `input` items
 * to the pipeline (instead of its source), catches what each sink node would have written (the
 * sinks are not opened: no file, port or connection is touched), and compares it with `expect`.
 *
 * @example
 * ```ts
 * // orders.test.yaml:
 * //   pipeline: ./orders.yaml
 * //   cases:
 * //     - { name: big orders are kept, input: [{ amount: 60 }], expect: { rows: [{ amount: 120 }] } }
 * const results = await runFileTests('orders.test.yaml');
 * console.log(results.every((r) => r.ok));
 * ```
 */
export async function runFileTests(file: string): Promise<CaseResult[]> {
  const doc = readConfig(file);
  const parsed = testFile.safeParse(doc.value, { reportInput: true });
  if (!parsed.success) failWith(file, issueProblems({ doc, value: doc.value, back: (p) => p }, [], testFile, doc.value, parsed.error.issues));
  const results: CaseResult[] = [];
  for (const c of parsed.data.cases) results.push(await runCase(doc, resolve(doc.dir, parsed.data.pipeline), c));
  return results;
}

async function runCase(
  doc: ConfigDocument,
  pipelineFile: string,
  c: { name: string; set?: string[] | undefined; input: unknown[]; expect: Record<string, unknown[]>; ordered?: boolean | undefined },
): Promise<CaseResult> {
  const compiled = await compile(readConfig(pipelineFile, c.set === undefined ? {} : { set: c.set }));
  const caught: Record<string, unknown[]> = {};
  for (const name of [...Object.keys(compiled.options.outputs ?? {}), 'deadLetter']) caught[name] = [];
  const problems: string[] = [];
  for (const name of Object.keys(c.expect)) {
    if (caught[name] === undefined) problems.push(`${doc.file}: case "${c.name}": expect names ${name}, which is no sink of the pipeline (its sinks: ${Object.keys(caught).join(', ')})`);
  }
  if (problems.length > 0) return { name: c.name, ok: false, problems };
  const { store: _store, ...options } = compiled.options;
  const report = await new Consecutor(compiled.pipeline, { ...options, outputs: caught }).run(fromIterable(c.input));
  for (const [name, expected] of Object.entries(c.expect)) {
    // A dead letter is compared by its input item (its record holds times and stacks).
    const got = name === 'deadLetter' ? caught[name]!.map((r) => (r as FailureRecord).item) : caught[name]!;
    const same = c.ordered === true ? isDeepStrictEqual(got, expected) : sameItems(got, expected);
    if (!same) problems.push(`${name}: expected ${preview(expected, 400)}, got ${preview(got, 400)}`);
  }
  if (c.expect.deadLetter === undefined && caught.deadLetter!.length > 0) {
    const records = caught.deadLetter as FailureRecord[];
    problems.push(`unexpected dead letters: ${records.map((r) => `${preview(r.item)} at ${r.node}: ${r.error.message}`).join('; ')}`);
  }
  if (!report.ok && problems.length === 0 && c.expect.deadLetter === undefined) problems.push(`the run was not ok: ${preview(report.failures, 400)}`);
  return { name: c.name, ok: problems.length === 0, problems };
}

/** The same items, in any order. */
function sameItems(got: readonly unknown[], expected: readonly unknown[]): boolean {
  if (got.length !== expected.length) return false;
  const left = [...got];
  return expected.every((e) => {
    const i = left.findIndex((g) => isDeepStrictEqual(g, e));
    if (i < 0) return false;
    left.splice(i, 1);
    return true;
  });
}
