import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Consecutor } from '../consecutor/consecutor.js';
import { loadPipeline, pipelineJsonSchema, type CompiledPipeline } from '../config/index.js';
import { runFileTests } from '../config/file-tests.js';
import { ConsecutionError } from '../errors.js';
import { describe, type Graph } from '../graph/describe.js';
import { toDot } from '../graph/dot.js';
import { toMermaid } from '../graph/mermaid.js';
import { loadMetrics, saveMetrics } from '../graph/metrics-file.js';
import { toSvg } from '../graph/svg.js';
import { port } from './flags.js';
import { runToExit } from './lifecycle.js';

/** Exit codes of the pipeline commands: 2 is a bad command line or pipeline file. */
export const EXIT_USAGE = 2;

/** The flags of `run` that override the file's options. */
interface RunFlags {
  readonly set?: string[];
  readonly store?: string;
  readonly mode?: string;
  readonly guarantee?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];


/**
 * Registers `run`, `validate`, `graph`, `test` and `schema` on the CLI program.
 *
 * @example
 * ```ts
 * import { Command } from 'commander';
 * import { pipelineCommands } from './pipeline-commands.js';
 *
 * const program = new Command('consecution');
 * pipelineCommands(program);
 * await program.parseAsync(['node', 'consecution', 'validate', 'pipeline.yaml']);
 * ```
 */
export function pipelineCommands(program: Command): void {
  program
    .command('run')
    .description('run a pipeline file until its source ends or a signal stops it (SIGINT/SIGTERM: drain; a second: exit at once)')
    .argument('<file>', 'the pipeline file (YAML: ours, or NanoStream’s)')
    .option('--set <key=value>', 'override a value of the file (repeatable): --set source.port=9000, --set nodes.rows.table=orders', collect)
    .option('--store <dir>', 'a durable store directory (overrides the file’s store)')
    .option('--mode <mode>', 'where offloaded nodes run: sync, thread or process')
    .option('--guarantee <level>', 'none, confirm, track or replay')
    .option('--metrics-out <file>', 'write the run’s last metrics snapshot here (for graph --metrics)')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics while it runs', port)
    .option('--no-view', 'no live view on the terminal (it is shown when stderr is one)')
    .action(async (file: string, flags: RunFlags & { metricsOut?: string; metricsPort?: number; view: boolean }) => {
      const compiled = await load(file, flags);
      const c = new Consecutor(compiled.pipeline, compiled.options);
      try {
        process.exitCode = await runToExit(c, compiled.source, { name: compiled.name, view: flags.view, ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }) });
      } finally {
        if (flags.metricsOut !== undefined) await saveMetrics(flags.metricsOut, c.metrics());
      }
    });
  program
    .command('validate')
    .description('check a pipeline file without running it: exit 0 when valid, 1 (with every problem, file:line:col) when not')
    .argument('<file>', 'the pipeline file')
    .option('--set <key=value>', 'override a value of the file (repeatable)', collect)
    .action(async (file: string, flags: RunFlags) => {
      try {
        const compiled = await load(file, flags);
        // Building the pipeline checks what only building can (names used twice by nodes and outputs).
        describe(compiled.pipeline);
        console.log(`${file}: ok (pipeline ${compiled.name}, source ${compiled.source.name})`);
      } catch (e) {
        if (!(e instanceof ConsecutionError) || (e.code !== 'CONFIG_INVALID' && e.code !== 'OPTIONS_INVALID')) throw e;
        console.error(e.message);
        process.exitCode = 1;
      }
    });
  program
    .command('graph')
    .description('draw a pipeline file’s graph')
    .argument('<file>', 'the pipeline file')
    .option('--format <format>', 'mermaid, dot or svg', 'mermaid')
    .option('--metrics <file>', 'a metrics snapshot (from run --metrics-out): each node drawn with its numbers, the busiest coloured')
    .option('--set <key=value>', 'override a value of the file (repeatable)', collect)
    .action(async (file: string, flags: RunFlags & { format: string; metrics?: string }) => {
      const formats = ['mermaid', 'dot', 'svg'];
      if (!formats.includes(flags.format)) {
        throw new ConsecutionError('OPTIONS_INVALID', `--format must be one of ${formats.join(', ')}, got ${JSON.stringify(flags.format)}`);
      }
      const compiled = await load(file, flags);
      const graph = withSource(describe(compiled.pipeline), compiled);
      const metrics = flags.metrics === undefined ? undefined : await loadMetrics(flags.metrics);
      console.log(flags.format === 'mermaid' ? toMermaid(graph, metrics) : flags.format === 'dot' ? toDot(graph, metrics) : await toSvg(graph, metrics));
    });
  program
    .command('test')
    .description('run a pipeline test file (cases of input items and the items each sink must get): exit 0 when every case passes, 1 when not')
    .argument('<file>', 'the test file (pipeline: ./pipeline.yaml, cases: [{ name, input, expect }])')
    .action(async (file: string) => {
      const results = await runFileTests(file);
      for (const r of results) {
        console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}`);
        for (const p of r.problems) console.log(`       ${p}`);
      }
      const failed = results.filter((r) => !r.ok).length;
      console.log(`${results.length - failed} passed, ${failed} failed`);
      process.exitCode = failed === 0 ? 0 : 1;
    });
  program
    .command('schema')
    .description('print the JSON Schema of pipeline files, for editors')
    .action(() => {
      console.log(JSON.stringify(pipelineJsonSchema(), null, 2));
    });
}

/** The file compiled, with `run`'s flags applied as overrides (paths in flags resolve against the working directory). */
function load(file: string, flags: RunFlags): Promise<CompiledPipeline> {
  const set = [...(flags.set ?? [])];
  if (flags.store !== undefined) set.push(`store=${JSON.stringify(resolve(flags.store))}`);
  if (flags.mode !== undefined) set.push(`mode=${JSON.stringify(flags.mode)}`);
  if (flags.guarantee !== undefined) set.push(`guarantee=${JSON.stringify(flags.guarantee)}`);
  return loadPipeline(file, { set });
}

/** The graph with its input named after the file's source. */
function withSource(graph: Graph, compiled: CompiledPipeline): Graph {
  return { ...graph, nodes: graph.nodes.map((n) => (n.id === 'input' ? { ...n, name: compiled.source.name } : n)) };
}
