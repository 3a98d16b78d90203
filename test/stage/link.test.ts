import { Observable, pipe } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { Consecutor, map } from 'consecution';
import { connect, Guarded, Linkable, type Sink } from '../../src/stage/link.js';
import { operate } from '../../src/stage/operate.js';

function recorder(): Sink<number> & { seen: string[] } {
  const seen: string[] = [];
  return { seen, next: (x) => seen.push(`next ${x}`), error: (e) => seen.push(`error ${String(e)}`), complete: () => seen.push('complete') };
}

describe('direct links between stages', () => {
  it('connect() calls a Linkable directly and anything else through subscribe(); both end on teardown', () => {
    let started = 0;
    const ours = new Linkable<number>((sink) => {
      started++;
      sink.next(1);
      sink.complete();
    });
    const direct = recorder();
    connect(ours, direct)();
    const foreign = recorder();
    connect(new Observable<number>((s) => s.next(2)), foreign)();
    expect(direct.seen).toEqual(['next 1', 'complete']);
    expect(foreign.seen).toEqual(['next 2']);
    expect(started).toBe(1);
    // To RxJS a Linkable is an ordinary Observable.
    const viaRxjs: number[] = [];
    ours.subscribe((x) => viaRxjs.push(x));
    expect(viaRxjs).toEqual([1]);
  });

  it('a Guarded sink forwards nothing once closed, ended, or errored, and completes after its last input', () => {
    const r = recorder();
    const merged = new Guarded(r, 2);
    merged.next(1);
    merged.complete(); // one of two inputs
    merged.next(2);
    merged.complete(); // the last one
    merged.next(3);
    merged.error('late');
    expect(r.seen).toEqual(['next 1', 'next 2', 'complete']);
    const closed = recorder();
    const g = new Guarded(closed);
    g.closed = true; // torn down
    g.next(1);
    g.complete();
    expect(closed.seen).toEqual([]);
  });

  it('what a stage throws downstream reaches the caller (and so the run), not an unhandled-error report', async () => {
    const ours = new Linkable<number>((sink) => sink.next(1));
    expect(() =>
      connect(ours, {
        next: () => {
          throw new Error('downstream broke');
        },
        error: () => {},
        complete: () => {},
      }),
    ).toThrow('downstream broke');
    // In a run: a stage whose own code throws (not a user function, which fails only its item)
    // ends the run with that error.
    const broken = operate<number, number>('broken', undefined, () => () => ({
      next() {
        throw new Error('stage bug');
      },
    }));
    const run = new Consecutor(pipe(map((x: number) => x), broken), { guarantee: 'confirm' }).run([1, 2, 3]);
    await expect(run).rejects.toThrow('stage bug');
  });
});
