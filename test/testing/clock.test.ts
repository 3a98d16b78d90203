import { describe, expect, it } from 'vitest';
import { Consecutor, map, node, systemClock, type Clock } from 'consecution';
import { VirtualClock } from 'consecution/testing';

describe('VirtualClock', () => {
  it('fires timers in due order, equal ones in the order set, with now() at their due time', () => {
    const clock = new VirtualClock(1_000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.advance(15);
    expect(fired).toEqual(['a@1010']);
    expect(clock.now()).toBe(1_015);
    clock.advance(5);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1020']);
    expect(clock.pending).toBe(0);
  });

  it('fires within one advance the timers that fired timers set, if due; an interval until cleared', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    const every = clock.setInterval(() => {
      fired.push(-clock.now());
      if (clock.now() >= 30) clock.clearInterval(every);
    }, 10);
    clock.advance(100);
    expect(fired).toEqual([-10, 10, -20, -30]);
    expect(clock.pending).toBe(0);
  });

  it('takes a delay below 1 ms, or not a number, as 1 ms, as Node.js does; a cleared timer never fires', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 0);
    clock.setTimeout(() => fired.push(clock.now()), NaN);
    clock.clearTimeout(clock.setTimeout(() => fired.push(-1), 1));
    clock.clearTimeout(undefined);
    clock.advance(0);
    expect(fired).toEqual([]);
    expect(clock.next()).toBe(true);
    expect(clock.next()).toBe(true);
    expect(clock.next()).toBe(false);
    expect(fired).toEqual([1, 1]);
    expect(() => clock.advance(-1)).toThrow('VirtualClock.advance(ms): ms must be a number >= 0, got -1');
  });

  it('starts at 2000-01-01 (epoch ms, as Date.now() gives)', () => {
    expect(new VirtualClock().now()).toBe(Date.UTC(2000, 0, 1));
  });

  it('runUntil lets the program run between timers, and gives up after limitMs of virtual time', async () => {
    const clock = new VirtualClock(0);
    const steps: string[] = [];
    const slow = async () => {
      await new Promise<void>((r) => clock.setTimeout(r, 1_000));
      steps.push('first');
      await new Promise<void>((r) => clock.setTimeout(r, 1_000));
      steps.push('second');
      return clock.now();
    };
    expect(await clock.runUntil(slow())).toBe(2_000);
    expect(steps).toEqual(['first', 'second']);
    await expect(clock.runUntil(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    clock.setInterval(() => {}, 100);
    await expect(clock.runUntil(() => false, { limitMs: 1_000 })).rejects.toThrow('VirtualClock.runUntil: not done after 1000 ms of virtual time');
  });
});

describe('the clock option', () => {
  it('is validated: it must have the methods of a Clock', () => {
    const p = map((x: number) => x);
    const message = 'Consecutor option clock must be a Clock (an object with methods now, setTimeout, clearTimeout, setInterval, clearInterval), got ';
    expect(() => new Consecutor(p, { clock: Date as never })).toThrow(message);
    expect(() => new Consecutor(p, { clock: { now: () => 0 } as never })).toThrow(`${message}object {"now":"[function now]"}`);
    expect(() => new Consecutor(p, { clock: null as never })).toThrow(`${message}null`);
    expect(() => new Consecutor(p, { clock: systemClock })).not.toThrow();
    expect(() => new Consecutor(p, { clock: new VirtualClock() })).not.toThrow();
  });

  it("is where the run reads the time: a report's durationMs and failure times are on it", async () => {
    const clock = new VirtualClock();
    const started = clock.now();
    const c = new Consecutor(
      node('late', {
        timeoutMs: 5_000,
        process: (_x: number) => new Promise<number>(() => {}),
      }),
      { guarantee: 'track', clock },
    );
    const report = await clock.runUntil(c.run([1]));
    expect(report.failures.map((f) => [f.error.code, f.at - started])).toEqual([['NODE_TIMEOUT', 5_000]]);
    expect(report.durationMs).toBe(5_000);
  });

  it('a clock of your own: anything with the five methods', async () => {
    let reads = 0;
    const counting: Clock = { ...systemClock, now: () => (reads++, Date.now()) };
    expect(await new Consecutor(map((x: number) => x), { clock: counting }).run([1, 2, 3])).toMatchObject({ ok: true, completed: 3 });
    expect(reads).toBeGreaterThan(0);
  });
});
