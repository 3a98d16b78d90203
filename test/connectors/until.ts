// Waiting for an outcome that needs a round trip to a real server: a poll with a generous bound.

/** Polls the async `done` until it holds; fails naming `what` after `boundMs` of real time (a hang, not a race). */
export async function until(what: string, done: () => Promise<boolean> | boolean, boundMs = 30_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`waited ${boundMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
