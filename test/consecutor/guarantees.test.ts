import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, map, node, output, type FailureRecord, type Guarantee } from 'consecution';

const failOn = (bad: number) =>
  node('picky', {
    process(x: number) {
      if (x === bad) throw new Error(`no ${bad}`);
      return x;
    },
  });

describe('guarantee levels', () => {
  it("'none': nothing tracked, errors counted and reported, the run never crashes", async () => {
    const out: number[] = [];
    const report = await new Consecutor(pipe(failOn(2), output('out')), { guarantee: 'none', outputs: { out } }).run([1, 2, 3]);
    expect(out).toEqual([1, 3]);
    expect(report).toMatchObject({ ok: false, guarantee: 'none', ingested: 3, failed: 1 });
  });

  it("'confirm': the report says whether every item completed; no failure records", async () => {
    const report = await new Consecutor(failOn(2), { guarantee: 'confirm' }).run([1, 2, 3]);
    expect(report).toMatchObject({ ok: false, ingested: 3, completed: 2, failed: 1, deadLettered: 1, retried: 0 });
    expect(report.failures).toEqual([]);
  });

  it("'track': plus the last failures with node, item, error and stack", async () => {
    const report = await new Consecutor(failOn(2), { guarantee: 'track' }).run([1, 2, 3]);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]).toMatchObject({ node: 'picky', item: 2, attempts: 1 });
    expect(report.failures[0]!.error.stack).toContain('no 2');
  });

  it("'track' keeps only the last keepFailures records", async () => {
    const report = await new Consecutor(map(() => { throw new Error('x') }), { keepFailures: 2 }).run([1, 2, 3, 4]);
    expect(report.failures.map((f) => f.item)).toEqual([3, 4]);
  });

  it("'replay': a failed item runs again; a transient failure completes, a permanent one is dead-lettered", async () => {
    const seen = new Map<number, number>();
    const deadLetter: FailureRecord[] = [];
    const flaky = node('flaky', {
      process(x: number) {
        const n = (seen.get(x) ?? 0) + 1;
        seen.set(x, n);
        if (x === 1 && n === 1) throw new Error('transient');
        if (x === 2) throw new Error('permanent');
        return x;
      },
    });
    const report = await new Consecutor(flaky, { guarantee: 'replay', retries: 2, outputs: { deadLetter } }).run([1, 2, 3]);
    expect(report).toMatchObject({ ok: false, ingested: 3, completed: 2, deadLettered: 1, retried: 3, failed: 4 });
    expect(seen.get(2)).toBe(3); // first try + 2 retries
    expect(deadLetter).toHaveLength(1);
    expect(deadLetter[0]).toMatchObject({ item: 2, node: 'flaky', attempts: 3, error: { code: 'NODE_FAILED' } });
    expect(deadLetter[0]!.error.message).toBe('node "flaky" failed on item 2: permanent');
  });

  it.each<Guarantee>(['confirm', 'track', 'replay'])("'%s': completed + deadLettered === ingested", async (guarantee) => {
    const report = await new Consecutor(failOn(5), guarantee === 'replay' ? { guarantee, retries: 1 } : { guarantee }).run(Array.from({ length: 10 }, (_, i) => i));
    expect(report.completed + report.deadLettered).toBe(report.ingested);
    expect(report.failed).toBe(report.retried + report.deadLettered);
  });
});
