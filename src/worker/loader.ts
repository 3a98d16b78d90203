import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConsecutionError } from '../errors.js';

/** How a worker loads TypeScript: tsx's module hooks, as file URLs resolved on the main side. */
export interface TypeScriptLoader {
  /** `tsx/esm/api`, whose `register()` a worker thread calls before it loads its entry. */
  readonly api: string;
  /** `tsx`, the `--import` of a child process. */
  readonly hooks: string;
}

/** The part of tsx's package.json read here. */
interface TsxExports {
  readonly '.': string;
  readonly './esm/api': { readonly import: { readonly default: string } };
}

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/;

/** Whether a module URL or path names a TypeScript file, which Node 20 cannot load by itself. */
export const isTypeScript = (url: string): boolean => TYPESCRIPT.test(url.split(/[?#]/, 1)[0]!);

/** The TypeScript files that a missing JavaScript one may stand for, in the order tsx tries them. */
const SIBLINGS: Readonly<Record<string, readonly string[]>> = { js: ['ts', 'tsx'], mjs: ['mts'], cjs: ['cts'] };

/**
 * The module a worker loads for `url` (a file URL or a path): a `.js`, `.mjs` or `.cjs` file that
 * does not exist, beside a `.ts` (`.tsx`), `.mts` or `.cts` that does, is that TypeScript file, as
 * tsx resolves an import (an ESM TypeScript project names its imports `./score.js`). Anything else
 * is `url` itself. The TypeScript file then needs tsx, like any other (see {@link typeScriptLoader}).
 *
 * @example
 * ```ts
 * workerModule('file:///app/score.js'); // 'file:///app/score.ts' when only score.ts is there
 * ```
 */
export function workerModule(url: string): string {
  const isUrl = /^[a-z][a-z\d+.-]*:/i.test(url) && !/^[a-z]:[\\/]/i.test(url);
  if (isUrl && !url.startsWith('file:')) return url;
  // A URL's query or fragment is kept as it is; a path has none.
  const cut = isUrl ? url.search(/[?#]/) : -1;
  const file = cut < 0 ? url : url.slice(0, cut);
  const [, base, ext] = /^(.*)\.([cm]?js)$/.exec(file) ?? [];
  if (base === undefined || ext === undefined) return url;
  const exists = (f: string) => existsSync(isUrl ? fileURLToPath(f) : f);
  if (exists(file)) return url;
  const ts = SIBLINGS[ext]!.find((e) => exists(`${base}.${e}`));
  return ts === undefined ? url : `${base}.${ts}${url.slice(file.length)}`;
}

/** Where tsx is looked for besides the TypeScript files' own places: the working directory, then this library. */
const FALLBACKS = (): string[] => [pathToFileURL(`${process.cwd()}/`).href, import.meta.url];

/**
 * The TypeScript loader a worker needs to load `files` (the worker's entry, the node's module), or
 * undefined when they are all JavaScript. tsx is looked for from each file's place, then from
 * `fallbacks`; where there is none, the error says what to do.
 */
export function typeScriptLoader(files: readonly string[], node: string, fallbacks: readonly string[] = FALLBACKS()): TypeScriptLoader | undefined {
  const ts = files.filter(isTypeScript);
  if (ts.length === 0) return undefined;
  const from = [...ts.map((f) => (f.startsWith('file:') ? new URL(f) : pathToFileURL(f)).href), ...fallbacks];
  for (const base of from) {
    try {
      const manifest = createRequire(base).resolve('tsx/package.json');
      const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: TsxExports };
      // The ESM builds (a require() resolution would give the CommonJS api, which fails in a worker).
      const at = (entry: string) => new URL(entry, pathToFileURL(manifest)).href;
      return { api: at(exports['./esm/api'].import.default), hooks: at(exports['.']) };
    } catch {
      // not installed there: try the next place
    }
  }
  throw new ConsecutionError(
    'OPTIONS_INVALID',
    `offload(): ${ts.join(', ')} is TypeScript, and a worker needs tsx to load it, but tsx was not found from there or from ${fallbacks.join(', ')}: install it (npm i -D tsx) or offload the compiled .js module`,
    { node },
  );
}
