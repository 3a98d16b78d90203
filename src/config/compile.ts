import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { output } from '../../operators/output.js';
import { offload } from '../../operators/offload.js';
import { resolveOptions, type ConsecutorOptions } from '../consecutor/options.js';
import type { Node } from '../envelope/envelope.js';
import { ConsecutionError, messageOf } from '../errors.js';
import type { OutputTarget } from '../outputs/target.js';
import type { Source } from '../sources/source.js';
import { dag, type DagSegment } from '../stage/dag.js';
import { suggest } from '../stage/suggest.js';
import { isDefinedNode } from '../worker/define.js';
import { isModulePath, nodeBuiltins, sinks, sources, type BuildContext, type Builtin } from './builtins/index.js';
import { resolvePaths } from './builtins/builtin.js';
import type { ConfigDocument, ConfigPath } from './document.js';
import { pipelineFile } from './format.js';
import { failWith, issueProblems, problem, type Locator } from './issues.js';
import { moduleNodeParams } from './module-node.js';
import { fromNanoStream, isNanoStream, NANOSTREAM_CLASSES } from './nanostream.js';
import { order, type GraphEntry } from './order.js';

/** A pipeline file made ready to run: the pipeline, its source, and the Consecutor's options. */
export interface CompiledPipeline {
  readonly name: string;
  readonly pipeline: Node<unknown, unknown>;
  readonly source: Source<unknown>;
  /** The file's Consecutor options, with its sinks as `outputs` and its store resolved. */
  readonly options: ConsecutorOptions;
}

interface Entry {
  readonly name: string;
  readonly use: string;
  readonly parents?: readonly string[];
  readonly [param: string]: unknown;
}

/**
 * Compiles a pipeline file (ours, or NanoStream's) into a pipeline, its source and its options.
 * Every problem found is reported at once, each with `file:line:col` and the key path; nothing is
 * opened (no port, file or connection) until the pipeline runs.
 *
 * @example
 * ```ts
 * import { Consecutor } from '../consecutor/consecutor.js';
 * import { compile } from './compile.js';
 * import { readConfig } from './document.js';
 *
 * const compiled = await compile(readConfig('examples/inbox.yaml'));
 * const report = await new Consecutor(compiled.pipeline, compiled.options).run(compiled.source);
 * ```
 */
export async function compile(doc: ConfigDocument): Promise<CompiledPipeline> {
  const nano = isNanoStream(doc.value);
  const { value, back } = nano ? fromNanoStream(doc.value as Record<string, unknown>) : { value: doc.value, back: (p: ConfigPath) => p };
  const at: Locator = { doc, value, back };
  const problems: string[] = [];
  const check = (schema: z.ZodType, v: unknown, base: ConfigPath): unknown => {
    const r = schema.safeParse(v, { reportInput: true });
    if (r.success) return r.data;
    problems.push(...issueProblems(at, base, schema, v, r.error.issues));
    return undefined;
  };
  type File = Record<string, unknown> & { source: Entry; nodes: Entry[]; deadLetter?: Entry };
  const shape = pipelineFile();
  // A bad top-level option (reported) does not hide the problems of the nodes: they are checked as if it were not there.
  const graphPart = shape.pick({ source: true, nodes: true, deadLetter: true }).loose();
  const file = (check(shape, value, []) ?? graphPart.safeParse(value).data) as File | undefined;
  if (file === undefined) failWith(doc.file, problems);
  const names = nano ? NANOSTREAM_CLASSES : undefined;
  const sourceName = typeof file.source.name === 'string' ? file.source.name : 'source';
  const sourceSpec = lookUp(at, problems, sources, file.source.use, ['source'], names);
  const params = (b: Builtin | undefined, entry: Entry, path: ConfigPath, extra: readonly string[]) => {
    if (b === undefined) return undefined;
    const own = Object.fromEntries(Object.entries(entry).filter(([k]) => !extra.includes(k)));
    const p = check(b.params, own, path) as Record<string, unknown> | undefined;
    return p === undefined ? undefined : resolvePaths(p, b.paths, doc.dir);
  };
  const sourceParams = params(sourceSpec, file.source, ['source'], ['name', 'use']);
  const entries = file.nodes.map((n, i) => {
    const path = ['nodes', i];
    const module = isModulePath(n.use);
    const b = module ? undefined : lookUp(at, problems, nodeBuiltins, n.use, path, names);
    const p = module ? (check(moduleNodeParams(), strip(n), path) as Record<string, unknown> | undefined) : params(b, n, path, ['name', 'use', 'parents']);
    return { entry: n, path, builtin: b, params: p, module };
  });
  const deadLetter = file.deadLetter === undefined ? undefined : lookUp(at, problems, sinks, file.deadLetter.use, ['deadLetter'], undefined);
  const deadLetterParams = file.deadLetter === undefined ? undefined : params(deadLetter, file.deadLetter, ['deadLetter'], ['use']);
  const graph: GraphEntry[] = file.nodes.map((n, i) => ({ name: n.name, parents: n.parents ?? [i === 0 ? sourceName : file.nodes[i - 1]!.name], path: ['nodes', i] }));
  const sorted = order(at, problems, sourceName, graph);
  entries.forEach((e) => {
    if (e.builtin?.kind === 'route' && !graph.some((g) => g.parents.includes(e.entry.name))) {
      problems.push(problem(at, [...e.path, 'use'], `route ${e.entry.name} has no children: list it in the parents of the nodes it sends items to (by() returns one of their names)`));
    }
  });
  if (problems.length > 0 || sorted === undefined || sourceSpec === undefined || sourceParams === undefined) failWith(doc.file, problems);
  const fail = (path: ConfigPath, who: string, e: unknown): never => failWith(doc.file, [problem(at, path, `${who}: ${messageOf(e)}`)]);
  const context = (name: string, path: ConfigPath): BuildContext => ({
    name,
    dir: doc.dir,
    url: (spec) => {
      // `./big.js#isBig`: the export after the '#' (pathToFileURL would escape it as part of the name).
      const hash = spec.lastIndexOf('#');
      const [path, exported] = hash < 0 ? [spec, ''] : [spec.slice(0, hash), spec.slice(hash)];
      const url = path.startsWith('file:') ? new URL(path) : pathToFileURL(resolve(doc.dir, path));
      url.hash = exported;
      return url;
    },
    load: async (key, spec) => loadFunction(at, [...path, key], context(name, path).url(spec)),
  });
  const outputs: Record<string, OutputTarget<never>> = {};
  const built = new Map<string, Node<any, unknown>>();
  const picks = new Map<string, (value: unknown) => string | number>();
  for (const e of entries) {
    const name = e.entry.name;
    const ctx = context(name, e.path);
    try {
      if (e.module) built.set(name, await moduleNode(at, e.path, ctx.url(e.entry.use), name, e.params ?? {}));
      else if (e.builtin!.kind === 'sink') {
        outputs[name] = (await e.builtin!.build(e.params!, ctx)) as OutputTarget<never>;
        built.set(name, output(name));
      } else if (e.builtin!.kind === 'route') picks.set(name, (await e.builtin!.build(e.params!, ctx)) as (value: unknown) => string);
      else built.set(name, (await e.builtin!.build(e.params!, ctx)) as Node<any, unknown>);
    } catch (err) {
      if (err instanceof ConsecutionError && err.code === 'CONFIG_INVALID') throw err;
      fail([...e.path, 'use'], `${name} (${e.entry.use})`, err);
    }
  }
  let source!: Source<unknown>;
  try {
    source = (await sourceSpec.build(sourceParams, context(sourceName, ['source'])));
    if (deadLetter !== undefined && deadLetterParams !== undefined) outputs.deadLetter = (await deadLetter.build(deadLetterParams, context('deadLetter', ['deadLetter'])));
  } catch (err) {
    fail(['source', 'use'], `source (${file.source.use})`, err);
  }
  const index = new Map(sorted.map((g, i) => [g.name, i]));
  const segments: DagSegment[] = sorted.map((g) => {
    const parents = g.parents.map((p) => (p === sourceName ? -1 : index.get(p)!));
    const pick = picks.get(g.name);
    return pick === undefined ? { name: g.name, node: built.get(g.name)!, parents } : { name: g.name, pick, parents };
  });
  const name = typeof file.name === 'string' ? file.name : doc.file.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
  const { name: _n, source: _s, nodes: _ns, deadLetter: _d, store, ...rest } = file;
  const options: ConsecutorOptions = {
    ...(rest as ConsecutorOptions),
    ...(store === undefined ? {} : { store: { path: resolve(doc.dir, typeof store === 'string' ? store : (store as { path: string }).path) } }),
    outputs,
  };
  try {
    resolveOptions(options);
  } catch (err) {
    const key = /option (\w+)/.exec(messageOf(err))?.[1];
    failWith(doc.file, [problem(at, key === undefined ? [] : [key], messageOf(err), true)]);
  }
  return { name, pipeline: dag(name, segments), source, options };
}

function strip(entry: Entry): Record<string, unknown> {
  const { name: _n, use: _u, parents: _p, ...rest } = entry;
  return rest;
}

/** The built-in `use` names, or a located "unknown" problem (with "did you mean"). */
function lookUp<B extends Builtin>(at: Locator, problems: string[], table: Readonly<Record<string, B>>, use: string, path: ConfigPath, aliases: readonly string[] | undefined): B | undefined {
  const b = table[use];
  if (b !== undefined) return b;
  const known = Object.keys(table);
  const meant = suggest(use, [...known, ...(aliases ?? [])]);
  problems.push(problem(at, [...path, 'use'], `unknown ${path[0] === 'source' ? 'source' : 'built-in'} ${JSON.stringify(use)}${meant === undefined ? '' : ` (did you mean ${meant}?)`}; known: ${known.join(', ')}${path[0] === 'nodes' ? ', or a module path (./nodes/x.js)' : ''}`));
  return undefined;
}

async function importModule(at: Locator, path: ConfigPath, url: URL): Promise<Record<string, unknown>> {
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } catch (e) {
    return failWith(at.doc.file, [problem(at, path, `cannot load ${url.pathname}: ${messageOf(e)}`)]);
  }
}

async function loadFunction(at: Locator, path: ConfigPath, url: URL): Promise<(...args: never[]) => unknown> {
  const exported = url.hash === '' ? 'default' : decodeURIComponent(url.hash.slice(1));
  const m = await importModule(at, path, new URL(url.href.replace(/#.*$/, '')));
  const fn = m[exported];
  if (typeof fn !== 'function') {
    const fns = Object.keys(m).filter((k) => typeof m[k] === 'function');
    failWith(at.doc.file, [problem(at, path, `${url.pathname} has no function export ${exported}${fns.length > 0 ? `; its functions: ${fns.join(', ')}` : ''}`)]);
  }
  return fn as (...args: never[]) => unknown;
}

/** A module node: its default export must be `defineNode(...)`; it runs where the file's `mode` says. */
async function moduleNode(at: Locator, path: ConfigPath, url: URL, name: string, params: Record<string, unknown>): Promise<Node<any, unknown>> {
  const m = await importModule(at, [...path, 'use'], url);
  if (!isDefinedNode(m.default)) {
    failWith(at.doc.file, [problem(at, [...path, 'use'], `${url.pathname}: its default export must be defineNode({...}) (from 'consecution'), got ${typeof m.default}`)]);
  }
  return offload(name, url, params);
}
