// One variant in its own process, for `npm run bench:instructions` (instructions.ts), which runs
// this under `valgrind --tool=callgrind --dump-before=uv_os_getppid`. Reading `process.ppid` calls
// uv_os_getppid, so every mark() below closes one callgrind part: the parent reads each part's
// instruction count and knows from the windows printed here which part was which.
//
//   node --expose-gc dist-bench/instructions-child.js '{"scenario":"w1","variant":"raw RxJS",...}'
import { countedVariant } from './instructions-variants.js';
import { integers } from './lib.js';

/** What the parent asks for (one JSON argument). */
export interface ChildRequest {
  readonly scenario: string;
  readonly variant: string;
  /** Input items of the small and the large measured run. */
  readonly small: number;
  readonly large: number;
  /** (small, large) pairs run before anything is counted (JIT warm-up). */
  readonly warmup: number;
  /** Measured (small, large) pairs. */
  readonly pairs: number;
}

/** What one callgrind part (between two marks) held: a measured run of `items`, or anything else. */
export type Window = { readonly kind: 'run'; readonly items: number } | { readonly kind: 'other' };

/** Printed as one JSON line on stdout once every run is done and checked. */
export interface ChildReport {
  /** Callgrind's part k + 1 is windows[k]; the last one runs from the last mark to exit. */
  readonly windows: readonly Window[];
}

const mark = (): number => process.ppid;

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '') as ChildRequest;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const { scenario, variant } = countedVariant(request.scenario, request.variant);
  const inputs = new Map([request.small, request.large].map((n) => [n, integers(n)] as const));
  const expected = new Map([...inputs].map(([n, input]) => [n, scenario.expected(input)] as const));
  const check = (n: number, result: number) => {
    if (result !== expected.get(n)) throw new Error(`${scenario.id} ${variant.name}: computed ${result} over ${n} items, expected ${expected.get(n)}`);
  };
  // Warm-up pairs run exactly as the counted ones, unmarked: they fall into the first window with
  // start-up. Each counted run is a window of its own; the check and the full GC before the next
  // run are in a window between.
  const windows: Window[] = [{ kind: 'other' }];
  for (let p = 0; p < request.warmup + request.pairs; p++) {
    const counted = p >= request.warmup;
    for (const n of [request.small, request.large]) {
      const input = inputs.get(n)!;
      gc();
      if (counted) mark();
      const result = await variant.run(input);
      if (counted) {
        mark();
        windows.push({ kind: 'run', items: n }, { kind: 'other' });
      }
      check(n, result);
    }
  }
  const report: ChildReport = { windows };
  console.log(JSON.stringify(report));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
