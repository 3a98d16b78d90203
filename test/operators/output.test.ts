import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, ConsecutionError, map, output } from 'consecution';

describe('output', () => {
  it('writes to a named output container and acks on the write', async () => {
    const rows: number[] = [];
    const report = await new Consecutor(pipe(map((x: number) => x * 10), output('rows')), { outputs: { rows } }).run([1, 2]);
    expect(rows).toEqual([10, 20]);
    expect(report.nodes['rows']).toMatchObject({ received: 2, acked: 2 });
  });

  it('acks only when an append() promise resolves, and fails the item when it rejects', async () => {
    const written: number[] = [];
    const store = {
      async append(x: number) {
        await new Promise((r) => setTimeout(r, 1));
        if (x === 2) throw new Error('disk full');
        written.push(x);
      },
    };
    const report = await new Consecutor(output('store'), { outputs: { store } }).run([1, 2, 3]);
    expect(written).toEqual([1, 3]);
    expect(report).toMatchObject({ completed: 2, deadLettered: 1 });
    expect(report.failures[0]!.error.message).toContain('disk full');
  });

  it('a container that never confirms a write cannot hold the run: the item times out, the run ends', async () => {
    // Named output, the default output, and the deadLetter output (given up after timeoutMs, with an error).
    const never = (bad: (x: unknown) => boolean) => ({ append: (x: unknown) => (bad(x) ? new Promise<void>(() => {}) : Promise.resolve()) });
    const options = { timeoutMs: 300, guarantee: 'replay', retries: 0 } as const;
    const named = await new Consecutor(output('sink'), { ...options, outputs: { sink: never((x) => x === 2) } }).run([1, 2, 3]);
    expect(named).toMatchObject({ ok: false, completed: 2, deadLettered: 1 });
    expect(named.failures.map((f) => f.error.code)).toEqual(['ACK_TIMEOUT']);

    const byDefault = await new Consecutor(map((x: number) => x), { ...options, outputs: { default: never((x) => x === 2) } }).run([1, 2, 3]);
    expect(byDefault).toMatchObject({ ok: false, completed: 2, deadLettered: 1, errors: 0 });

    const picky = map((x: number) => {
      if (x === 2) throw new Error('no 2');
      return x;
    });
    const letters = await new Consecutor(picky, { ...options, outputs: { deadLetter: never(() => true) } }).run([1, 2, 3]);
    expect(letters).toMatchObject({ ok: false, completed: 2, deadLettered: 1, errors: 1 });
    expect(letters.failures.map((f) => f.error.message)).toContain('dead letter of item #1 could not be written: not confirmed within timeoutMs=300');
  });

  it('a confirm that comes after its write was given up changes nothing', async () => {
    // The confirm is held until the run has given the write up, then let go: no race of timers.
    let confirm!: () => void;
    const confirmed = new Promise<void>((resolve) => (confirm = resolve));
    const late = { append: () => confirmed };
    const c = new Consecutor(output('sink'), { timeoutMs: 150, guarantee: 'confirm', outputs: { sink: late } });
    const report = await c.run([1]);
    expect(report).toMatchObject({ completed: 0, deadLettered: 1 });
    expect(report.nodes.sink).toMatchObject({ acked: 0, failed: 0, inFlight: 0 });
    confirm();
    await confirmed;
    await new Promise((r) => setImmediate(r));
    expect(c.metrics().nodes.sink).toMatchObject({ acked: 0, failed: 0, inFlight: 0 });
  });

  it('an output with no container is a clear error when the run starts', async () => {
    const c = new Consecutor(output('nowhere'), { outputs: { rows: [] } });
    await expect(c.run([1])).rejects.toThrow(ConsecutionError);
    await expect(c.run([1])).rejects.toThrow(/node "nowhere" writes to output "nowhere", which has no container.*outputs: rows/);
  });
});
