import { describe, expect, it } from 'vitest';
import { map, output, partition, Consecutor } from 'consecution';

describe('partition', () => {
  it('splits items by a predicate into [whenTrue, whenFalse]', async () => {
    const big: number[] = [];
    const small: number[] = [];
    const c = new Consecutor(partition((x: number) => x > 10, [output('big'), map((x: number) => x)]), {
      outputs: { big, default: small },
    });
    const report = await c.run([5, 50, 7, 70]);
    expect(big).toEqual([50, 70]);
    expect(small).toEqual([5, 7]);
    expect(report.ok).toBe(true);
  });
});
