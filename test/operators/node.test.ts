import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { left, right } from 'fp-ts/Either';
import { BaseNode, Consecutor, ConsecutionError, node, output, type NodeContext } from 'consecution';
import { collect, runNode } from 'consecution/testing';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('node', () => {
  it('pushes what process returns: a 1:1 node passes the anchor on with no acker traffic', async () => {
    const { values, anchors } = await runNode(node('double', { process: (x: number) => x * 2 }), [1, 2]);
    expect(values).toEqual([2, 4]);
    expect(anchors.every((a) => a.complete && a.adds === 0)).toBe(true);
  });

  it('ctx.push emits many children; the item completes when all are acked', async () => {
    const spec = {
      process(s: string, ctx: NodeContext<string>) {
        for (const ch of s) ctx.push(ch);
      },
    };
    const { values, anchors } = await runNode(node('letters', spec), ['ab', '']);
    expect(values).toEqual(['a', 'b']);
    expect(anchors.every((a) => a.complete)).toBe(true);
    const held = await runNode(node('letters', spec), ['ab'], { ackOutputs: false });
    expect(held.anchors[0]!.complete).toBe(false);
  });

  it('runs an async process with at most `concurrency` items in flight', async () => {
    let now = 0;
    let max = 0;
    const { values, report } = await collect(
      node('slow', {
        concurrency: 3,
        async process(x: number) {
          max = Math.max(max, ++now);
          await tick(2);
          now--;
          return x;
        },
      }),
      Array.from({ length: 12 }, (_, i) => i),
    );
    expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(max).toBe(3);
    expect(report.ok).toBe(true);
  });

  it('fails an item past its timeoutMs with NODE_TIMEOUT and aborts its signal', async () => {
    let aborted = false;
    const { report } = await collect(
      node('hang', {
        timeoutMs: 20,
        process(_x: number, ctx) {
          ctx.signal.addEventListener('abort', () => (aborted = true));
          return new Promise<number>(() => {});
        },
      }),
      [1],
    );
    expect(report.deadLettered).toBe(1);
    expect(report.failures[0]!.error).toMatchObject({ code: 'NODE_TIMEOUT' });
    expect(report.failures[0]!.error.message).toBe('node "hang" did not finish item 1 within timeoutMs=20');
    expect(aborted).toBe(true);
  });

  it('retries an item locally `retries` times before it fails', async () => {
    const seen: number[] = [];
    const { values, report } = await collect(
      node('flaky', {
        retries: 2,
        process(x: number, ctx) {
          seen.push(ctx.attempt);
          if (ctx.attempt < 2) throw new Error('not yet');
          return x;
        },
      }),
      [7],
    );
    expect(seen).toEqual([0, 1, 2]);
    expect(values).toEqual([7]);
    expect(report.ok).toBe(true);
  });

  it('fp-ts: Right pushes its value; Left fails the item with the Left as its reason, not retried', async () => {
    const { values, report } = await collect(
      node('validate', { process: (x: number) => (x > 0 ? right(x) : left({ field: 'x', problem: 'not positive' })) }),
      [1, -1],
      { guarantee: 'replay', retries: 3 },
    );
    expect(values).toEqual([1]);
    expect(report).toMatchObject({ deadLettered: 1, retried: 0 });
    expect(report.failures[0]).toMatchObject({ node: 'validate', item: -1, reason: { field: 'x', problem: 'not positive' } });
    expect(report.failures[0]!.error.code).toBe('NODE_REJECTED');
  });

  it('takes a BaseNode class instance, named after its class', async () => {
    class Upper extends BaseNode<string, string> {
      process(s: string) {
        return s.toUpperCase();
      }
    }
    const { values, report } = await collect(node(new Upper()), ['a']);
    expect(values).toEqual(['A']);
    expect(Object.keys(report.nodes)).toEqual(['Upper']);
  });

  it('calls end() once after the last item; what it pushes flows on', async () => {
    let sum = 0;
    const { values, report } = await collect(
      node<number, number>('sum', {
        process(x: number) {
          sum += x;
        },
        end(ctx) {
          ctx.push(sum);
        },
      }),
      [1, 2, 3],
    );
    expect(values).toEqual([6]);
    expect(report.ok).toBe(true);
  });

  it("an end() that never settles fails with NODE_TIMEOUT after the run's timeoutMs, and the run ends", async () => {
    const out: number[] = [];
    const endless = node('endless', { process: (x: number) => x, end: () => new Promise<void>(() => {}) });
    const report = await new Consecutor(endless, { timeoutMs: 200, outputs: { default: out } }).run([1, 2]);
    expect(out).toEqual([1, 2]);
    expect(report).toMatchObject({ ok: false, completed: 2, errors: 1 });
    expect(report.failures[0]).toMatchObject({
      node: 'endless',
      error: { code: 'NODE_TIMEOUT', message: 'node "endless" did not finish item "(end)" within timeoutMs=200' },
    });
  });

  it('ctx.write writes to a named output; the item waits for the write', async () => {
    const audit: string[] = [];
    const slowAudit = { append: async (s: string) => (await tick(1), audit.push(s)) };
    const c = new Consecutor(
      pipe(
        node('audit', {
          process(x: number, ctx: NodeContext<number>) {
            ctx.write('audit', `saw ${x}`);
            return x;
          },
        }),
        output('out'),
      ),
      { outputs: { audit: slowAudit, out: [] } },
    );
    const report = await c.run([1, 2]);
    expect(audit).toEqual(['saw 1', 'saw 2']);
    expect(report.ok).toBe(true);
  });

  it('explicit ctx.ack() and ctx.fail()', async () => {
    const { values, report } = await collect(
      node('explicit', {
        process(x: number, ctx) {
          if (x === 1) ctx.ack();
          else ctx.fail(new Error('nope'));
          return x; // ignored: the item is already settled
        },
      }),
      [1, 2],
    );
    expect(values).toEqual([]);
    expect(report).toMatchObject({ completed: 1, deadLettered: 1 });
  });

  it('validates its spec at once, showing the bad value', () => {
    expect(() => node('n', { process: 5 } as never)).toThrow(ConsecutionError);
    expect(() => node('n', { process: (x: number) => x, concurrency: 0 })).toThrow(
      'node "n": concurrency must be an integer >= 1, got number 0',
    );
  });
});

describe('node misuse', () => {
  it('a push after the item was acked is refused and recorded, not silently lost', async () => {
    const { values, report } = await collect(
      node<number, number>('eager', {
        process(x, ctx) {
          ctx.ack();
          ctx.push(x); // too late: throws, and the throw has nowhere to go once acked
        },
      }),
      [1],
    );
    expect(values).toEqual([]);
    expect(report).toMatchObject({ completed: 1, errors: 1, ok: false });
    expect(report.failures[0]!.error.message).toBe(
      'node "eager" called ctx.push() after its item was settled (returned, acked, failed or timed out)',
    );
  });
});
