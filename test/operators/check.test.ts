import { describe, expect, it } from 'vitest';
import { check } from 'consecution';
import { collect } from 'consecution/testing';

describe('check', () => {
  it('fails items that break the post-condition with CHECK_FAILED and the message; not retried', async () => {
    const { values, report } = await collect(check((x: number) => x >= 0, 'must not be negative'), [1, -1, 2], {
      guarantee: 'replay',
      retries: 2,
    });
    expect(values).toEqual([1, 2]);
    expect(report.retried).toBe(0);
    expect(report.failures[0]!.error).toMatchObject({ code: 'CHECK_FAILED' });
    expect(report.failures[0]!.error.message).toContain('must not be negative');
    expect(report.failures[0]!.error.message).toContain('-1');
  });

  it('costs nothing when switched off, per check or for the whole consecutor', async () => {
    const never = () => false;
    expect((await collect(check(never, 'x', { enabled: false }), [1])).values).toEqual([1]);
    expect((await collect(check(never, 'x'), [1], { checks: false })).values).toEqual([1]);
  });
});
