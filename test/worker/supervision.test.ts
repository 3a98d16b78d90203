import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { pipe } from 'rxjs';
import { Consecutor, offload, output } from 'consecution';

const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url);

describe('worker supervision', () => {
  it.each(['thread', 'process'] as const)('workers dying too often fail the run with WORKER_CRASHED (%s), not a hang', async (mode) => {
    const c = new Consecutor(offload(fixture('always-crash'), { parallelism: 1, maxRestarts: 2 }), { mode, guarantee: 'replay', retries: 10 });
    await expect(c.run([1, 2, 3])).rejects.toMatchObject({
      code: 'WORKER_CRASHED',
      message: expect.stringMatching(/node "always-crash": workers died 3 times within 10000 ms .*giving up/),
    });
  });

  it('a slow worker back-pressures the source: never more than maxPending in flight', async () => {
    let read = 0;
    function* items() {
      for (let i = 0; i < 200; i++) {
        read++;
        yield i;
      }
    }
    const out: number[] = [];
    const c = new Consecutor(pipe(offload<number, number>(fixture('slow'), { parallelism: 2, batch: 8 }), output('out')), {
      mode: 'thread',
      maxPending: 16,
      outputs: { out },
    });
    const timer = setInterval(() => expect(read - out.length).toBeLessThanOrEqual(16), 2);
    const report = await c.run(items());
    clearInterval(timer);
    expect(report).toMatchObject({ ok: true, completed: 200 });
  });

  it('leaves no handles: a program using thread and process workers exits by itself', () => {
    const script = `
      import { pipe } from 'rxjs';
      import { Consecutor, offload } from 'consecution';
      const url = ${JSON.stringify(fixture('double').href)};
      for (const mode of ['thread', 'process']) {
        const r = await new Consecutor(offload(url), { mode }).run([1, 2, 3]);
        if (!r.ok) process.exit(2);
      }
      console.log('done');
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(out.trim()).toBe('done');
  });
});
