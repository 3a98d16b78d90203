import {
  ConsecutionError,
  MODES,
  named,
  operate,
  optionReader,
  Pool,
  previewTyped,
  rejectUnknown,
  workerModule,
  type Mode,
  type Node,
} from '../src/core.js';

/** Options of {@link offload}. */
export interface OffloadOptions {
  /** Workers in the pool (thread and process modes). @default 2 */
  readonly parallelism?: number;
  /** Items per message to a worker. @default 256 */
  readonly batch?: number;
  /** Overrides the consecutor's `mode` for this node. */
  readonly mode?: Mode;
  /** Worker deaths within 10 s after which the run fails with WORKER_CRASHED. @default 5 */
  readonly maxRestarts?: number;
}

/**
 * Runs a node defined in its own module (its default export is `defineNode({...})`) in a pool of
 * workers: worker threads in `thread` mode, child processes in `process` mode, inline in `sync`
 * mode. The consecutor's `mode` chooses; `options.mode` overrides it. Items cross in batches; the
 * acker stays on the main thread. A worker that dies fails the items it held (replayed under
 * `replay`) and is restarted.
 *
 * The node's name in the report and in errors (and its `ctx.node` in the worker) is the `name`
 * given first, or else its module's file name without the extension (`./score.js` is `score`).
 *
 * @example
 * ```ts
 * declare const rows: Iterable<{ id: number }>;
 * const p = pipe(offload('score', new URL('./score.js', import.meta.url), { parallelism: 2 }), output('scores'));
 * await new Consecutor(p, { mode: 'thread', outputs: { scores: [] } }).run(rows);
 * ```
 */
export function offload<I, O>(moduleUrl: string | URL, options?: OffloadOptions): Node<I, O>;
export function offload<I, O>(name: string, moduleUrl: string | URL, options?: OffloadOptions): Node<I, O>;
export function offload<I, O>(first: string | URL, second?: string | URL | OffloadOptions, third?: OffloadOptions): Node<I, O> {
  const hasName = typeof first === 'string' && (typeof second === 'string' || second instanceof URL);
  const [given, moduleUrl] = hasName ? named('offload', first, second) : [undefined, first];
  const options = (hasName ? third : (second as OffloadOptions | undefined)) ?? {};
  if (typeof moduleUrl === 'function' || typeof second === 'function') {
    throw new ConsecutionError(
      'OPTIONS_INVALID',
      'offload(): expected the URL of a module whose default export is defineNode({...}), got a function: an inline closure cannot cross to a worker',
    );
  }
  if (!(moduleUrl instanceof URL) && (typeof moduleUrl !== 'string' || moduleUrl.length === 0)) {
    throw new ConsecutionError('OPTIONS_INVALID', `offload(): expected a module URL or path, got ${previewTyped(moduleUrl)}`);
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConsecutionError('OPTIONS_INVALID', `offload(): options must be an object, got ${previewTyped(options)}`);
  }
  rejectUnknown('offload()', options, ['parallelism', 'batch', 'mode', 'maxRestarts']);
  const url = moduleUrl instanceof URL ? moduleUrl.href : moduleUrl;
  const { integer, oneOf } = optionReader(options, (key) => `offload(): ${key}`);
  const parallelism = integer('parallelism', 1, 2);
  const batch = integer('batch', 1, 256);
  const maxRestarts = integer('maxRestarts', 0, 5);
  const own = options.mode === undefined ? undefined : oneOf('mode', MODES, 'sync');
  const name = given ?? url.split('/').pop()!.replace(/\.[cm]?[jt]s$/, '');
  return operate<I, O>('offload', name, (h, stats) => {
    const mode = own ?? h.mode;
    return (out) => {
      // A worker loads `./score.js` that exists only as score.ts as tsx would; inline, the importer's loader does.
      const module = mode === 'sync' ? url : workerModule(url);
      const pool = new Pool<O>({ url: module, mode, parallelism, batch, maxRestarts, windowMs: 10_000 }, stats, h, out);
      return { next: (env) => pool.next(env), complete: () => pool.complete(), finalize: () => pool.close() };
    };
  });
}
