// npm run bench [-- w1 w2 ...] [--json] [--runs=N] [--warmup=N] [--shared]
import { formatMachine, formatScenario, formatSummary, machine, runScenario, type Scenario, type ScenarioResult } from './harness.js';
import { w1 } from './w1.js';
import { w2 } from './w2.js';
import { w3 } from './w3.js';
import { w1lmdb } from './w1-lmdb.js';
import { offloadCpu } from './offload-cpu.js';
import { offloadLong, offloadTrivial } from './offload-trivial.js';
import { toFileScenario } from './to-file.js';
import { httpIngest, httpIngestNdjson } from './http-ingest.js';
import { toPostgresScenario } from './to-postgres.js';
import { metricsNode, metricsW1 } from './metrics-overhead.js';
import { natsMap } from './nats-map.js';
import { natsCopies } from './nats-copies.js';

const SCENARIOS: readonly Scenario[] = [w1, w2, w3, w1lmdb, offloadCpu, offloadTrivial, offloadLong, toFileScenario, httpIngest, httpIngestNdjson, toPostgresScenario, metricsW1, metricsNode, natsMap, natsCopies];

const DEFAULT_RUNS = 9;
const DEFAULT_WARMUP = 2;
const ownRounds = SCENARIOS.filter((s) => s.runs !== undefined || s.warmup !== undefined)
  .map((s) => `${s.id}: ${s.runs ?? DEFAULT_RUNS} runs, ${s.warmup ?? DEFAULT_WARMUP} warm-up`)
  .join('; ');

const USAGE = `usage: npm run bench -- [${SCENARIOS.map((s) => s.id).join('|')} ...] [--json] [--runs=N] [--warmup=N]
  scenario ids   run only these (default: all)
  --json         print only the results as JSON on stdout (progress goes to stderr);
                 use \`npm run -s bench -- --json\` so that npm prints no banner
  --runs=N       measured rounds per scenario (default ${DEFAULT_RUNS}; at least 5 for a real measurement)
  --shared       run W1-W3's variants all in this process (default: each in a process of its
                 own, rounds interleaved; in one process they share the JIT's type feedback)
  --warmup=N     warm-up rounds per scenario (default ${DEFAULT_WARMUP})
                 slow scenarios have their own defaults, which --runs and --warmup override:
                 ${ownRounds}`;

interface Args {
  readonly scenarios: readonly Scenario[];
  readonly json: boolean;
  /** From the command line; undefined: each scenario's own, or the defaults. */
  readonly runs: number | undefined;
  readonly warmup: number | undefined;
  readonly shared: boolean;
}

function parse(argv: readonly string[]): Args {
  let json = false;
  let shared = false;
  let runs: number | undefined;
  let warmup: number | undefined;
  const ids: string[] = [];
  const count = (arg: string, min: number) => {
    const n = Number(arg.slice(arg.indexOf('=') + 1));
    if (!Number.isInteger(n) || n < min) fail(`${arg}: expected an integer >= ${min}`);
    return n;
  };
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--shared') shared = true;
    else if (arg.startsWith('--runs=')) runs = count(arg, 1);
    else if (arg.startsWith('--warmup=')) warmup = count(arg, 0);
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else ids.push(arg.toLowerCase());
  }
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) fail(`unknown scenario ${unknown.join(', ')}`);
  const scenarios = ids.length === 0 ? SCENARIOS : SCENARIOS.filter((s) => ids.includes(s.id));
  return { scenarios, json, runs, warmup, shared };
}

function fail(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  const m = machine();
  const print = args.json ? () => {} : (text: string) => console.log(text);
  const progress = process.stderr.isTTY ? (line: string) => process.stderr.write(`\r\x1b[K${line}`) : () => {};
  print(`${formatMachine(m)}\n`);
  const results: ScenarioResult[] = [];
  for (const scenario of args.scenarios) {
    const rounds = {
      warmup: args.warmup ?? scenario.warmup ?? DEFAULT_WARMUP,
      runs: args.runs ?? scenario.runs ?? DEFAULT_RUNS,
    };
    const result = await runScenario(scenario, { ...rounds, log: progress, shared: args.shared });
    progress('');
    results.push(result);
    print(`${formatScenario(result)}\n`);
  }
  if (args.json) console.log(JSON.stringify({ machine: m, results }, null, 2));
  else print(formatSummary(results));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
