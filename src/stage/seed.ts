/**
 * The initial state of a stateful operator: a value, or a function that makes one, called once
 * per run (as React's `useState(() => init)`), so that a mutable state starts fresh every run.
 * To start from a function value, wrap it: `() => myFunction`.
 */
export type Seed<A> = A | (() => A);

/** The initial state for one run. */
export function seedOf<A>(seed: Seed<A>): A {
  return typeof seed === 'function' ? (seed as () => A)() : seed;
}
