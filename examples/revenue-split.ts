/**
 * Revenue split: the example from consecution's design seeds.
 *
 * A day's sales are tagged with the revenue so far (`scan`). The first $100,000 of revenue goes to
 * the operating budget, and a sale that crosses that line is cut in two (`flatMap`). Everything
 * after it is profit, which a `node` splits 60/40 between you and your partner. A `broadcast`
 * also sends every sale to a company-total aggregator, and `reduce` aggregates each account into
 * a named `output`. The run checks that the accounts add up to the company total, in integer
 * cents.
 *
 * Run it with `npm run example`, or `npx tsx examples/revenue-split.ts --mermaid` to also print
 * the pipeline's graph.
 */
import { pipe } from 'rxjs';
import { pathToFileURL } from 'node:url';
import {
  broadcast,
  check,
  Consecutor,
  describe,
  flatMap,
  fromIterable,
  node,
  output,
  reduce,
  route,
  scan,
  toMermaid,
  type Node,
  type RunReport,
} from 'consecution';

/** A sale (or the part of one on one side of the threshold), tagged with the revenue so far. */
export interface Sale {
  /** The sale's number, from 1. */
  readonly n: number;
  readonly cents: number;
  /** Total revenue including this sale, in cents. */
  readonly revenue: number;
}

/** A partner's share of a profit. */
export interface Share {
  readonly to: 'you' | 'partner';
  readonly cents: number;
}

export interface RevenueSplitOptions {
  /** Print nothing. @default false */
  readonly quiet?: boolean;
  /** Also print the pipeline's graph as a Mermaid flowchart. @default false */
  readonly mermaid?: boolean;
  /** How many sales. @default 1000 */
  readonly sales?: number;
  /** The seed of the sales generator. @default 42 */
  readonly seed?: number;
  /** Revenue that goes to the operating budget, in cents. @default 10_000_000 ($100,000) */
  readonly thresholdCents?: number;
  /** Your part of the profit, between 0 and 1; the partner gets the rest. @default 0.6 */
  readonly yourShare?: number;
}

/** The four accounts, in cents. */
export interface Accounts {
  readonly operating: number;
  readonly you: number;
  readonly partner: number;
  readonly company: number;
}

export interface RevenueSplitResult {
  readonly accounts: Accounts;
  /** operating + you + partner === company */
  readonly balanced: boolean;
  readonly report: RunReport;
}

/** mulberry32: a small seeded PRNG, so that every run sees the same sales. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` sale amounts in cents, between $20.00 and $400.00. */
export function salesAmounts(count: number, seed: number): number[] {
  const next = random(seed);
  return Array.from({ length: count }, () => 2_000 + Math.floor(next() * 38_001));
}

const sum = (total: number, x: { readonly cents: number }): number => total + x.cents;

/** An aggregator: sums the cents it receives and writes the total to the output `account`. */
function account<T extends { readonly cents: number }>(name: keyof Accounts): Node<T, never> {
  return pipe(reduce(`${name}-total`, sum, 0), output(name));
}

/** The pipeline: sale amounts in cents in, one total per account out. */
export function revenueSplit(thresholdCents: number, yourShare: number): Node<number, never> {
  const start: Sale = { n: 0, cents: 0, revenue: 0 };
  return pipe(
    scan('revenue-so-far', (prev: Sale, cents: number): Sale => ({ n: prev.n + 1, cents, revenue: prev.revenue + cents }), start),
    broadcast(
      'books',
      account<Sale>('company'),
      pipe(
        flatMap('cut-at-threshold', (s: Sale): Sale[] => {
          const before = s.revenue - s.cents;
          if (before >= thresholdCents || s.revenue <= thresholdCents) return [s];
          return [
            { n: s.n, cents: thresholdCents - before, revenue: thresholdCents },
            { n: s.n, cents: s.revenue - thresholdCents, revenue: s.revenue },
          ];
        }),
        route('budget', (s: Sale) => (s.revenue <= thresholdCents ? 'operating' : 'profit'), {
          operating: account<Sale>('operating'),
          profit: pipe(
            node<Sale, Share>('split-profit', {
              process(s, ctx) {
                const yours = Math.round(s.cents * yourShare);
                ctx.push({ to: 'you', cents: yours });
                ctx.push({ to: 'partner', cents: s.cents - yours });
              },
            }),
            check((share: Share) => Number.isInteger(share.cents) && share.cents >= 0, 'a share is a whole number of cents, not negative', {
              name: 'whole-cents',
            }),
            route('partners', (share: Share) => share.to, {
              you: account<Share>('you'),
              partner: account<Share>('partner'),
            }),
          ),
        }),
      ),
    ),
  );
}

const dollars = (cents: number): string =>
  (cents / 100).toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });

/** Runs the revenue split and returns each account's total in cents, with the run's report. */
export async function main(options: RevenueSplitOptions = {}): Promise<RevenueSplitResult> {
  const { quiet = false, mermaid = false, sales = 1000, seed = 42, thresholdCents = 10_000_000, yourShare = 0.6 } = options;
  const pipeline = revenueSplit(thresholdCents, yourShare);
  const totals: Record<keyof Accounts, number[]> = { operating: [], you: [], partner: [], company: [] };
  const report = await new Consecutor(pipeline, { outputs: totals }).run(fromIterable(salesAmounts(sales, seed)));

  // Each aggregator writes its total once, when the input ends.
  const accounts: Accounts = {
    operating: totals.operating[0] ?? 0,
    you: totals.you[0] ?? 0,
    partner: totals.partner[0] ?? 0,
    company: totals.company[0] ?? 0,
  };
  const balanced = accounts.operating + accounts.you + accounts.partner === accounts.company;

  if (!quiet) {
    const rows: [string, number][] = [
      ['operating budget', accounts.operating],
      [`you (${Math.round(yourShare * 100)}% of profit)`, accounts.you],
      [`partner (${Math.round((1 - yourShare) * 100)}% of profit)`, accounts.partner],
      ['company total', accounts.company],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    const amountWidth = Math.max(...rows.map(([, cents]) => dollars(cents).length));
    console.log(`Revenue split of ${sales} sales (operating budget: the first ${dollars(thresholdCents)})\n`);
    for (const [label, cents] of rows) console.log(`  ${label.padEnd(width)}  ${dollars(cents).padStart(amountWidth)}`);
    console.log(
      `\n  operating + you + partner ${balanced ? '=' : '!='} company total: ${balanced ? 'balanced' : 'NOT BALANCED'}` +
        `\n  ${report.completed}/${report.ingested} sales completed, ${report.deadLettered} dead-lettered, in ${Math.round(report.durationMs)} ms`,
    );
    if (mermaid) console.log(`\n${toMermaid(describe(pipeline))}`);
  }
  return { accounts, balanced, report };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { balanced, report } = await main({ mermaid: process.argv.includes('--mermaid') });
  if (!report.ok || !balanced) process.exitCode = 1;
}
