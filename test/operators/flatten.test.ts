import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { chunk, flatten, map } from 'consecution';
import { collect } from 'consecution/testing';

describe('flatten', () => {
  it('undoes chunk: every item passes through unchanged and completes', async () => {
    const xs = Array.from({ length: 25 }, (_, i) => i);
    const { values, report } = await collect(pipe(chunk(10), map((b: number[]) => b), flatten<number>()), xs);
    expect(values).toEqual(xs);
    expect(report).toMatchObject({ ok: true, completed: 25 });
  });
});
