import { describe, expect, it } from 'vitest';
import { pipe } from 'rxjs';
import { Consecutor, ConsecutionError, map, output, type Clock, type OutputTarget, type RunReport } from 'consecution';
import { VirtualClock } from 'consecution/testing';

// A target may have open() (called when the run starts, before any item is read) and close()
// (called at the end, after the last write is confirmed), DESIGN §8.

/** A source that logs each read into `log`. */
function* logged(log: string[], n: number): Generator<number> {
  for (let i = 1; i <= n; i++) {
    log.push(`read ${i}`);
    yield i;
  }
}

const later = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A database-like target: opens and closes asynchronously, confirms each append on a later turn. */
function table(log: string[], name = 'rows', fail: { open?: Error; close?: Error } = {}) {
  return {
    async open() {
      await later();
      if (fail.open !== undefined) throw fail.open;
      log.push(`${name} open`);
    },
    async append(x: number) {
      log.push(`${name} append ${x}`);
      await later();
      log.push(`${name} confirmed ${x}`);
    },
    async close() {
      await later();
      if (fail.close !== undefined) throw fail.close;
      log.push(`${name} close`);
    },
  } satisfies OutputTarget<number>;
}

describe('open() and close() of an output target', () => {
  it('open() before anything is read, close() after the last write is confirmed', async () => {
    const log: string[] = [];
    const report = await new Consecutor(pipe(map((x: number) => x * 10), output('rows')), { outputs: { rows: table(log) } }).run(
      logged(log, 2),
    );
    expect(report).toMatchObject({ ok: true, completed: 2 });
    expect(log[0]).toBe('rows open');
    expect(log.at(-1)).toBe('rows close');
    expect(log.indexOf('rows close')).toBeGreaterThan(log.indexOf('rows confirmed 20'));
    expect(log.filter((l) => l.startsWith('read'))).toEqual(['read 1', 'read 2']);
  });

  it('an open() that fails fails the run with OUTPUT_FAILED naming the output, and nothing is read', async () => {
    const log: string[] = [];
    const targets = { rows: table(log, 'rows', { open: new Error('connection refused') }), audit: table(log, 'audit'), seen: [] };
    const c = new Consecutor(pipe(output('audit'), map(() => 1), output('rows')), { outputs: targets });
    const error = await c.run(logged(log, 3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsecutionError);
    expect(error).toMatchObject({ code: 'OUTPUT_FAILED', node: 'rows', message: 'output "rows" failed to open: connection refused' });
    expect(log.some((l) => l.startsWith('read') || l.includes('append'))).toBe(false);
    // The target that did open is closed; the one that failed to is not.
    expect(log).toContain('audit close');
    expect(log).not.toContain('rows close');
  });

  it('close() is called when the run failed, and when it was stopped', async () => {
    const log: string[] = [];
    function* failing(): Generator<number> {
      yield 1;
      throw new Error('disk gone');
    }
    const failed = new Consecutor(output('rows'), { outputs: { rows: table(log) } });
    await expect(failed.run(failing())).rejects.toMatchObject({ code: 'SOURCE_FAILED' });
    expect(log).toContain('rows close');

    const stopLog: string[] = [];
    let stopping: Promise<RunReport> | undefined;
    const rows = { ...table(stopLog), append: (x: number) => void (x === 3 && (stopping = c.stop())) };
    const c = new Consecutor(output('rows'), { outputs: { rows } });
    async function* endless(): AsyncGenerator<number> {
      for (let i = 1; ; i++) {
        await later();
        yield i;
      }
    }
    const report = await c.run(endless());
    expect(await stopping).toBe(report);
    expect(report).toMatchObject({ ok: true, stopped: true });
    expect(stopLog).toEqual(['rows open', 'rows close']);
  });

  it('a close() that fails is an OUTPUT_FAILED in the report, naming the output', async () => {
    const log: string[] = [];
    const rows = table(log, 'rows', { close: new Error('flush failed') });
    const report = await new Consecutor(output('rows'), { outputs: { rows } }).run([1]);
    expect(report).toMatchObject({ ok: false, completed: 1, errors: 1 });
    expect(report.failures.map((f) => [f.node, f.error.code, f.error.message])).toEqual([
      ['rows', 'OUTPUT_FAILED', 'output "rows" failed to close: flush failed'],
    ]);
  });

  it("open() gets the run's clock, for the target's own timers", async () => {
    const clock = new VirtualClock();
    const given: Clock[] = [];
    const rows: OutputTarget<number> = {
      open(context) {
        given.push(context.clock);
      },
      push() {},
    };
    const report = await clock.runUntil(new Consecutor(output('rows'), { clock, outputs: { rows } }).run([1]));
    expect(report.ok).toBe(true);
    expect(given).toEqual([clock]);
  });

  it('open and close, if given, must be methods', () => {
    expect(() => new Consecutor(output('rows'), { outputs: { rows: { push() {}, open: 5 } as never } })).toThrow(
      'outputs.rows.open must be a method, got number 5',
    );
  });
});
