/**
 * Whether a value is a promise or any other thenable: what a node's `process` or `end()`, or a
 * container's `append()`, may return to say "later". Free of imports, so a worker can use it too.
 */
export function isPromiseLike(x: unknown): x is PromiseLike<unknown> {
  return x !== null && typeof x === 'object' && typeof (x as { then?: unknown }).then === 'function';
}
