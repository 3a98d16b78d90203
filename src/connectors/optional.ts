import { ConsecutionError, messageOf } from '../errors.js';

const loaded = new Map<string, Promise<unknown>>();

/**
 * Loads `pkg`, an optional peer dependency that `connector` needs, when the connector opens (never
 * at import time: a program that does not use the connector does not need the package). When it is
 * not installed, the promise rejects with `DEPENDENCY_MISSING` naming the connector and the
 * `npm install` line; any other load error is wrapped with the same code and the package's own
 * message. Each package is imported once per process.
 *
 * @example
 * ```ts
 * const pg = await loadOptional<typeof import('pg')>('pg', 'toPostgres');
 * const pool = new pg.default.Pool({ connectionString: 'postgres://postgres@127.0.0.1/test' });
 * ```
 */
export function loadOptional<M>(pkg: string, connector: string): Promise<M> {
  let p = loaded.get(pkg);
  if (p === undefined) {
    p = import(pkg);
    loaded.set(pkg, p);
    // A failed load is not cached: installing the package and retrying in the same process works.
    p.catch(() => loaded.delete(pkg));
  }
  return p.then(
    (m) => m as M,
    (e: unknown) => {
      const missing = (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && messageOf(e).includes(`'${pkg}'`);
      throw new ConsecutionError(
        'DEPENDENCY_MISSING',
        missing
          ? `${connector} needs the package "${pkg}", which is not installed: run \`npm install ${pkg}\``
          : `${connector} could not load the package "${pkg}": ${messageOf(e)}`,
        { cause: e },
      );
    },
  );
}
