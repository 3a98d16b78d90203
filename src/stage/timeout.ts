/**
 * `p`, unless it has not settled within `ms`: then the result rejects with what `timedOut()`
 * returns, called once at that moment (to abort, to retire a context). No limit when `ms` <= 0.
 * Free of imports, so a worker can use it too.
 */
export function withTimeout<T>(p: PromiseLike<T>, ms: number, timedOut: () => unknown): Promise<T> {
  if (ms <= 0) return Promise.resolve(p);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(timedOut()), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
