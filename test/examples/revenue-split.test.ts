import { describe, expect, it } from 'vitest';
import { main, salesAmounts } from '../../examples/revenue-split.js';

describe('examples/revenue-split', () => {
  it('splits $213,522.64 of revenue: $100,000 operating, the rest 60/40, to the cent', async () => {
    const { accounts, balanced, report } = await main({ quiet: true });
    expect(accounts).toEqual({ operating: 10_000_000, you: 6_811_362, partner: 4_540_902, company: 21_352_264 });
    expect(balanced).toBe(true);
    expect(accounts.operating + accounts.you + accounts.partner).toBe(accounts.company);
    expect(report).toMatchObject({ ok: true, ingested: 1000, completed: 1000, failed: 0, deadLettered: 0 });
  });

  it('agrees with a plain loop over the same sales', async () => {
    const sales = salesAmounts(1000, 42);
    const company = sales.reduce((a, b) => a + b, 0);
    const operating = Math.min(company, 10_000_000);
    const { accounts } = await main({ quiet: true });
    expect(accounts.company).toBe(company);
    expect(accounts.operating).toBe(operating);
    // Each profit portion is rounded on its own, so compare to within a cent per sale.
    expect(Math.abs(accounts.you - (company - operating) * 0.6)).toBeLessThanOrEqual(sales.length / 2);
  });

  it('puts everything in the operating budget below the threshold', async () => {
    const { accounts, report } = await main({ quiet: true, sales: 10, thresholdCents: 1e9 });
    expect(accounts).toMatchObject({ you: 0, partner: 0 });
    expect(accounts.operating).toBe(accounts.company);
    expect(report).toMatchObject({ ok: true, ingested: 10, completed: 10 });
  });
});
