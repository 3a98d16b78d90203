// npm run bench:instructions [-- w1 w2 w3] [--small=N] [--large=N] [--warmup=N] [--pairs=N] [--jobs=N] [--json]
//
// Instructions per input item, a figure that does not depend on the machine's load: every variant
// runs in its own process under valgrind's callgrind, which counts the instructions it executes
// (perf's hardware counters are not available in this container). See benchmarks/README.md,
// "Instructions per item", for the method.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median } from './harness.js';
import type { ChildReport, ChildRequest } from './instructions-child.js';
import { COUNTED } from './instructions-variants.js';

const DEFAULTS = { small: 20_000, large: 200_000, warmup: 2, pairs: 3, jobs: 1 };

/** V8 flags of the counted process: every GC and compile on the main thread, so counts repeat. */
const NODE_FLAGS = ['--expose-gc', '--single-threaded'];

const USAGE = `usage: npm run bench:instructions -- [${COUNTED.map((c) => c.scenario.id).join('|')} ...] [options]
  scenario ids   count only these (default: all)
  --small=N      input items of the small measured run (default ${DEFAULTS.small})
  --large=N      input items of the large measured run (default ${DEFAULTS.large})
  --warmup=N     (small, large) pairs run before counting (default ${DEFAULTS.warmup})
  --pairs=N      (small, large) pairs counted (default ${DEFAULTS.pairs})
  --variants=a,b count only these variants: rxjs, none, confirm, track, replay (default: all)
  --jobs=N       processes under valgrind at once (default ${DEFAULTS.jobs}; the counts do not depend on it)
  --json         print only the results as JSON`;

interface Options {
  readonly ids: readonly string[];
  /** Short names (rxjs, none, confirm, track, replay); empty: all. */
  readonly variants: readonly string[];
  readonly small: number;
  readonly large: number;
  readonly warmup: number;
  readonly pairs: number;
  readonly jobs: number;
  readonly json: boolean;
}

/** One variant's counts. */
interface Counted {
  readonly scenario: string;
  readonly variant: string;
  /** (I(large) − I(small)) / (large − small) of each counted pair, in the order run. */
  readonly perItem: readonly number[];
  /** What a run costs beyond its items: I(small) − small × median per item, median over pairs. */
  readonly perRun: number;
}

function fail(message: string): never {
  console.error(`bench:instructions: ${message}\n${USAGE}`);
  process.exit(2);
}

function parse(argv: readonly string[]): Options {
  const o: Record<string, number> = { ...DEFAULTS };
  const ids: string[] = [];
  let json = false;
  let variants: string[] = [];
  for (const arg of argv) {
    const m = /^--(small|large|warmup|pairs|jobs)=(\d+)$/.exec(arg);
    if (m !== null) o[m[1]!] = Number(m[2]);
    else if (arg === '--json') json = true;
    else if (arg.startsWith('--variants=')) variants = arg.slice('--variants='.length).split(',');
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('-')) fail(`unknown option ${arg}`);
    else ids.push(arg.toLowerCase());
  }
  const unknown = ids.filter((id) => !COUNTED.some((c) => c.scenario.id === id));
  if (unknown.length > 0) fail(`unknown scenario ${unknown.join(', ')}`);
  const names = new Set(COUNTED.flatMap((c) => c.variants.map((v) => shortName(v.name))));
  const unknownVariants = variants.filter((v) => !names.has(v));
  if (unknownVariants.length > 0) fail(`unknown variant ${unknownVariants.join(', ')} (have ${[...names].join(', ')})`);
  const { small, large, warmup, pairs, jobs } = o as typeof DEFAULTS;
  // W3 checks that every chunk is full: both sizes must be multiples of its chunk size (100).
  if (small < 100 || small % 100 !== 0 || large % 100 !== 0 || large <= small) fail('--small and --large: multiples of 100, small < large');
  if (pairs < 1 || jobs < 1) fail('--pairs and --jobs: at least 1');
  return { ids, variants, small, large, warmup, pairs, jobs, json };
}

/** 'raw RxJS' → 'rxjs', 'consecution replay' → 'replay': what --variants takes. */
const shortName = (name: string): string => (name === 'raw RxJS' ? 'rxjs' : name.replace(/^consecution /, ''));

/** The instruction count of each callgrind part in `dir`, by part number (1, 2, ...). */
function parts(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  const head = Buffer.alloc(4096);
  for (const name of readdirSync(dir).filter((f) => f.startsWith('cg.'))) {
    const fd = openSync(join(dir, name), 'r');
    const text = head.toString('utf8', 0, readSync(fd, head, 0, head.length, 0));
    closeSync(fd);
    const part = /^part: (\d+)$/m.exec(text);
    const summary = /^summary: (\d+)$/m.exec(text);
    if (part === null || summary === null) throw new Error(`${name}: no part or summary line in its header`);
    out.set(Number(part[1]), Number(summary[1]));
  }
  return out;
}

/** Runs one variant under callgrind in a process of its own and reads its counts. */
async function count(scenario: string, variant: string, o: Options): Promise<Counted> {
  const dir = mkdtempSync(join(tmpdir(), 'consecution-instructions-'));
  try {
    const request: ChildRequest = { scenario, variant, small: o.small, large: o.large, warmup: o.warmup, pairs: o.pairs };
    const child = fileURLToPath(new URL('./instructions-child.js', import.meta.url));
    const args = [
      '--tool=callgrind',
      '--dump-before=uv_os_getppid',
      `--callgrind-out-file=${join(dir, 'cg.%p')}`,
      `--log-file=${join(dir, 'valgrind.log')}`,
      process.execPath,
      ...NODE_FLAGS,
      child,
      JSON.stringify(request),
    ];
    const { code, stdout, stderr } = await run('valgrind', args);
    if (code !== 0) {
      const log = readFileSync(join(dir, 'valgrind.log'), 'utf8').split('\n').slice(-20).join('\n');
      throw new Error(`${scenario} ${variant}: exit code ${code}\n${stderr}\n${log}`);
    }
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport;
    const counts = parts(dir);
    // Part k + 1 is windows[k] (the last one runs from the last mark to exit).
    if (counts.size !== report.windows.length) throw new Error(`${scenario} ${variant}: ${counts.size} callgrind parts for ${report.windows.length} windows`);
    const runs = report.windows.flatMap((w, k) => (w.kind === 'run' ? [{ items: w.items, instructions: counts.get(k + 1)! }] : []));
    const perItem: number[] = [];
    const smallRuns: number[] = [];
    for (let i = 0; i + 1 < runs.length; i += 2) {
      const [s, l] = [runs[i]!, runs[i + 1]!];
      perItem.push((l.instructions - s.instructions) / (l.items - s.items));
      smallRuns.push(s.instructions);
    }
    const m = median(perItem);
    return { scenario, variant, perItem, perRun: median(smallRuns.map((i) => i - o.small * m)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `tasks` with at most `jobs` at once; results in the order of `tasks`. */
async function pool<T>(tasks: readonly (() => Promise<T>)[], jobs: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

function format(o: Options, results: readonly Counted[]): string {
  const out: string[] = [];
  for (const id of new Set(results.map((r) => r.scenario))) {
    const rows = results.filter((r) => r.scenario === id);
    const base = median(rows[0]!.perItem);
    const cells = rows.map((r) => {
      const m = median(r.perItem);
      const spread = (Math.max(...r.perItem) - Math.min(...r.perItem)) / m;
      return [r.variant, m.toFixed(0), `${Math.min(...r.perItem).toFixed(0)}–${Math.max(...r.perItem).toFixed(0)}`, `±${((spread / 2) * 100).toFixed(1)}%`, `${(m / base).toFixed(2)}×`, (r.perRun / 1e6).toFixed(1)];
    });
    const header = ['variant', 'instructions/item', 'min–max', 'spread', '× raw RxJS', 'M instructions/run'];
    const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
    const line = (row: readonly string[]) => `| ${row.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ')} |`;
    const scenario = COUNTED.find((c) => c.scenario.id === id)!.scenario;
    out.push(
      `### ${id.toUpperCase()}: ${scenario.title}`,
      '',
      `median of ${o.pairs} pairs (${o.small.toLocaleString('en-US')} and ${o.large.toLocaleString('en-US')} items) after ${o.warmup} warm-up pairs; every run checked`,
      '',
      line(header),
      `|${widths.map((w, c) => (c === 0 ? `-${'-'.repeat(w)}-|` : `${'-'.repeat(w + 1)}:|`)).join('')}`,
      ...cells.map(line),
      '',
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  const chosen = COUNTED.filter((c) => o.ids.length === 0 || o.ids.includes(c.scenario.id));
  const m = machine();
  const valgrind = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  const log = o.json ? () => {} : (text: string) => console.log(text);
  log(
    [
      `date:     ${m.date}`,
      `machine:  ${m.cpu}, ${m.cpus} CPUs, ${m.platform}, load ${m.loadAverage.toFixed(2)} (1-min average at start: it does not change the counts)`,
      `runtime:  Node ${m.node} ${NODE_FLAGS.join(' ')}, rxjs ${m.rxjs}, ${valgrind} --tool=callgrind`,
      `commit:   ${m.commit}`,
      `code:     ${m.code}`,
      '',
    ].join('\n'),
  );
  const tasks = chosen.flatMap((c) =>
    c.variants.filter((v) => o.variants.length === 0 || o.variants.includes(shortName(v.name))).map((v) => async () => {
      const t0 = Date.now();
      const r = await count(c.scenario.id, v.name, o);
      if (process.stderr.isTTY) process.stderr.write(`  ${c.scenario.id} ${v.name}: ${median(r.perItem).toFixed(0)} instructions/item (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
      return r;
    }),
  );
  const results = await pool(tasks, o.jobs);
  if (o.json) console.log(JSON.stringify({ machine: m, options: o, results }, null, 2));
  else log(format(o, results));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
