import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, offload, output } from 'consecution';
import { createHandler } from '../../src/worker/handler.js';
import type { FromWorker, Results } from '../../src/worker/protocol.js';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

/** Blocks this thread for `ms`, as a busy main thread (a CPU-bound stage, a long GC) would. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('the pace of a batch', () => {
  it('is measured by the worker, on its own clock: how long it spent on the batch', async () => {
    const answered = new Promise<Results>((resolve) => {
      const handle = createHandler('sync', (msg: FromWorker) => {
        if (msg.t === 'results') resolve(msg);
      });
      handle({ t: 'init', url: fixture('steady').href, name: 'steady' });
      handle({ t: 'batch', values: [1, 2], attempts: undefined });
    });
    // Two items of 50 ms (a timer may fire a millisecond early; never much earlier).
    expect((await answered).ms).toBeGreaterThanOrEqual(90);
  });

  it('is not misread when a busy main thread reads answers late, back to back: a slow node keeps small batches', async () => {
    // While this thread is blocked the worker finishes the batches it holds; their answers are
    // then read at once. Timed on this side, the second would seem to have taken no time at all,
    // and every item left would go in one batch of 256.
    const out: number[] = [];
    const input = Array.from({ length: 40 }, (_, i) => i);
    let most = 0;
    function* items() {
      for (const x of input) {
        most = Math.max(most, x + 1 - out.length);
        // Read once the worker is busy: it has a batch to work on and the next one queued.
        if (x === 10 || x === 20) block(400);
        yield x;
      }
    }
    const c = new Consecutor(pipe(offload<number, number>(fixture('steady'), { parallelism: 1 }), output('out')), { mode: 'thread', outputs: { out } });
    expect(await c.run(items())).toMatchObject({ ok: true, completed: 40 });
    expect(out.sort((a, b) => a - b)).toEqual(input);
    expect(most).toBeLessThanOrEqual(12);
  });
});
