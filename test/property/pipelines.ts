// Random pipelines for the property tests: a plain-data description (what fast-check generates,
// shrinks and prints), a builder that turns it into a consecution pipeline, and a model that says
// what the pipeline does to each input item.
//
// Every value in a built pipeline is a `Val`: the input item it descends from (`root`) and a
// `path` that names its lineage (`.f1` the second child of a flatMap, `.b0` the first branch of a
// broadcast, `.p1` the second push of a node). Every decision a stage takes (keep, how many
// children, which branch, fail) depends on `root` and `path` only, never on timing or on state such
// as a scan's accumulator, so that the model can predict it and a replay takes the same paths.
import fc from 'fast-check';
import { pipe } from 'rxjs';
import { broadcast, chunk, filter, flatMap, flatten, map, node, partition, route, scan, type Node } from 'consecution';
import type { Clock } from '../../src/types.js';

// --- Descriptions ---------------------------------------------------------------------------------

/** Which input items (by root id) a stage fails: always, or only the first time it sees them. */
export interface Fail {
  readonly permanent: readonly number[];
  readonly transient: readonly number[];
}

export type Stage =
  | { readonly kind: 'map'; readonly fail: Fail | null }
  | { readonly kind: 'filter'; readonly salt: number; readonly mod: number }
  | { readonly kind: 'flatMap'; readonly salt: number; readonly max: number }
  | { readonly kind: 'scan' }
  | { readonly kind: 'chunk'; readonly size: number }
  | {
      readonly kind: 'node';
      readonly wait: 'sync' | 'microtask' | 'immediate';
      readonly concurrency: number;
      readonly out: 'return' | 'push' | 'push2';
      /** The node's own retries: a transient failure is absorbed here and never fails the item. */
      readonly retries: number;
      readonly fail: Fail | null;
      /** Root ids this (async) node is slow for: it settles them only after `slowMs`. */
      readonly slow: readonly number[];
      /** The node's own deadline per item (its `timeoutMs`), if any. */
      readonly deadline: number | null;
    }
  | { readonly kind: 'broadcast'; readonly branches: readonly Pipeline[] }
  | {
      readonly kind: 'route';
      readonly salt: number;
      /** Branches `k0`, `k1`, ... */
      readonly keyed: readonly Pipeline[];
      readonly fallback: Pipeline | null;
      /** How many keys the routing function may return that match no branch (0 or 1). */
      readonly unknownKeys: number;
    }
  | { readonly kind: 'partition'; readonly salt: number; readonly branches: readonly [Pipeline, Pipeline] };

export type Pipeline = readonly Stage[];

export interface Val {
  readonly root: number;
  readonly path: string;
  readonly n: number;
}

// --- Arbitraries ----------------------------------------------------------------------------------

/** Input items are the root ids 0..n-1; failures name ids below this bound. */
export const MAX_ITEMS = 12;

const ids = fc.uniqueArray(fc.nat(MAX_ITEMS - 1), { maxLength: 4 });
const failArb: fc.Arbitrary<Fail | null> = fc.option(fc.record({ permanent: ids, transient: ids }), { nil: null, freq: 3 });
const salt = fc.nat(1000);

export interface StageOptions {
  /** Whether stages may fail items. */
  readonly failures: boolean;
  /** Whether chunk stages are generated. @default true */
  readonly chunks?: boolean;
  /** Whether async nodes may be slow for some items (to exceed a run's timeoutMs). @default false */
  readonly slow?: boolean;
}

function leafStage(o: StageOptions): fc.Arbitrary<Stage> {
  const fail = o.failures ? failArb : fc.constant(null);
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('map' as const), fail }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant('filter' as const), salt, mod: fc.integer({ min: 2, max: 4 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('flatMap' as const), salt, max: fc.integer({ min: 0, max: 3 }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('scan' as const) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('chunk' as const), size: fc.integer({ min: 1, max: 5 }) }), weight: o.chunks === false ? 0 : 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('node' as const),
        wait: fc.constantFrom('sync' as const, 'microtask' as const, 'immediate' as const),
        concurrency: fc.integer({ min: 1, max: 4 }),
        out: fc.constantFrom('return' as const, 'push' as const, 'push2' as const),
        retries: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 1 }),
        fail,
        slow: o.slow === true ? fc.uniqueArray(fc.nat(MAX_ITEMS - 1), { maxLength: 2 }) : fc.constant([]),
        deadline: o.slow === true ? fc.option(fc.integer({ min: 5, max: 30 }), { nil: null }) : fc.constant(null),
      }),
      weight: 3,
    },
  );
}

function stageArb(depth: number, o: StageOptions): fc.Arbitrary<Stage> {
  if (depth <= 0) return leafStage(o);
  const sub = pipelineArb(depth - 1, o, 3);
  return fc.oneof(
    { arbitrary: leafStage(o), weight: 5 },
    { arbitrary: fc.record({ kind: fc.constant('broadcast' as const), branches: fc.array(sub, { minLength: 2, maxLength: 3 }) }), weight: 1 },
    {
      arbitrary: fc.record({
        kind: fc.constant('route' as const),
        salt,
        keyed: fc.array(sub, { minLength: 1, maxLength: 3 }),
        fallback: fc.option(sub, { nil: null }),
        unknownKeys: fc.integer({ min: 0, max: 1 }),
      }),
      weight: 1,
    },
    { arbitrary: fc.record({ kind: fc.constant('partition' as const), salt, branches: fc.tuple(sub, sub) }), weight: 1 },
  );
}

/** A random pipeline: up to `maxLength` stages, fan-out stages nested up to `depth` deep. */
export function pipelineArb(depth: number, o: StageOptions, maxLength = 5): fc.Arbitrary<Pipeline> {
  return fc.array(stageArb(depth, o), { minLength: 0, maxLength });
}

// --- Decisions shared by the builder and the model ------------------------------------------------

/** FNV-1a over root, path and salt: the one source of every decision. */
export function hash(root: number, path: string, s: number): number {
  let h = (2166136261 ^ s) >>> 0;
  const str = `${root}/${path}`;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h;
}

const keeps = (st: { salt: number; mod: number }, v: Val) => hash(v.root, v.path, st.salt) % st.mod !== 0;
const childCount = (st: { salt: number; max: number }, v: Val) => hash(v.root, v.path, st.salt) % (st.max + 1);
/** The branch index a route picks: >= keyed.length means a key that matches no keyed branch. */
const routeIndex = (st: { salt: number; keyed: readonly Pipeline[]; unknownKeys: number }, v: Val) =>
  hash(v.root, v.path, st.salt) % (st.keyed.length + st.unknownKeys);
const partitionYes = (st: { salt: number }, v: Val) => hash(v.root, v.path, st.salt) % 2 === 0;

function failureOf(fail: Fail | null, root: number): 'permanent' | 'transient' | null {
  if (fail === null) return null;
  if (fail.permanent.includes(root)) return 'permanent';
  if (fail.transient.includes(root)) return 'transient';
  return null;
}

const at = (prefix: string, i: number | string) => (prefix === '' ? String(i) : `${prefix}.${i}`);

// --- The builder ----------------------------------------------------------------------------------

type ValNode = Node<Val, Val>;

function compose(nodes: readonly ValNode[]): ValNode {
  return (source) => nodes.reduce((s, n) => n(s), source);
}

/** Throws for the items `fail` names: always, or the first time this stage sees a (root, path). */
function failer(name: string, fail: Fail | null): (v: Val) => void {
  const seen = new Set<string>();
  return (v) => {
    const f = failureOf(fail, v.root);
    if (f === 'permanent') throw new Error(`permanent failure of ${v.root}${v.path} at ${name}`);
    if (f === 'transient') {
      const key = `${v.root}|${v.path}`;
      if (!seen.has(key)) {
        seen.add(key);
        throw new Error(`transient failure of ${v.root}${v.path} at ${name}`);
      }
    }
  };
}

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number, clock?: Clock) =>
  new Promise<void>((resolve) => (clock === undefined ? setTimeout(resolve, ms) : clock.setTimeout(resolve, ms)));

/** How a description is built. */
export interface BuildOptions {
  /** How long an async node takes for the items it is slow for: beyond timeoutMs, they time out. @default 0 */
  readonly slowMs?: number;
  /** The clock slow items wait on (the run's): real time when not given. */
  readonly clock?: Clock;
}

function buildStage(st: Stage, loc: string, b: BuildOptions): ValNode {
  const name = `${st.kind}@${loc}`;
  switch (st.kind) {
    case 'map': {
      const check = failer(name, st.fail);
      return map(name, (v: Val) => {
        check(v);
        return { ...v, n: v.n * 2 + 1 };
      });
    }
    case 'filter':
      return filter(name, (v: Val) => keeps(st, v));
    case 'flatMap':
      return flatMap(name, (v: Val) => Array.from({ length: childCount(st, v) }, (_, j) => ({ ...v, path: `${v.path}.f${j}` })));
    case 'scan':
      return scan(name, (acc: Val, v: Val) => ({ root: v.root, path: v.path, n: acc.n + v.n }), { root: -1, path: '', n: 0 });
    case 'chunk': {
      const c = chunk<Val>(name, st.size);
      const f = flatten<Val>(`flatten@${loc}`);
      return (source) => f(c(source));
    }
    case 'node': {
      const check = failer(name, st.fail);
      const { out, wait } = st;
      const emit = (v: Val, ctx: { push(v: Val): void }): Val | undefined => {
        check(v);
        if (out === 'return') return { ...v, n: v.n + 1 };
        if (out === 'push') ctx.push({ ...v, n: v.n + 1 });
        else for (let j = 0; j < 2; j++) ctx.push({ ...v, path: `${v.path}.p${j}` });
        return undefined;
      };
      const { concurrency, retries, slow } = st;
      if (wait === 'sync') return node<Val, Val>(name, { concurrency, retries, process: emit });
      return node<Val, Val>(name, {
        concurrency,
        retries,
        ...(st.deadline === null ? {} : { timeoutMs: st.deadline }),
        async process(v, ctx) {
          if (slow.includes(v.root)) await sleep(b.slowMs ?? 0, b.clock);
          else if (wait === 'microtask') await Promise.resolve();
          else await immediate();
          return emit(v, ctx);
        },
      });
    }
    case 'broadcast':
      return broadcast(
        name,
        ...st.branches.map((branch, j) =>
          pipe(
            map(`tag@${at(loc, j)}`, (v: Val) => ({ ...v, path: `${v.path}.b${j}` })),
            buildPipeline(branch, at(loc, j), b),
          ),
        ),
      );
    case 'route': {
      const branches: Record<string, ValNode> = {};
      st.keyed.forEach((branch, j) => (branches[`k${j}`] = buildPipeline(branch, at(loc, `k${j}`), b)));
      if (st.fallback !== null) branches['default'] = buildPipeline(st.fallback, at(loc, 'default'), b);
      return route(name, (v: Val) => {
        const i = routeIndex(st, v);
        return i < st.keyed.length ? `k${i}` : 'unknown';
      }, branches);
    }
    case 'partition':
      return partition(name, (v: Val) => partitionYes(st, v), [
        buildPipeline(st.branches[0], at(loc, 0), b),
        buildPipeline(st.branches[1], at(loc, 1), b),
      ]);
  }
}

function buildPipeline(p: Pipeline, prefix: string, b: BuildOptions): ValNode {
  return compose(p.map((st, i) => buildStage(st, at(prefix, i), b)));
}

/** A fresh pipeline (fresh transient-failure state) that takes root ids and emits `Val`s. */
export function build(p: Pipeline, options: BuildOptions = {}): Node<number, Val> {
  const body = buildPipeline(p, '', options);
  return (source) => body(map('enter', (root: number): Val => ({ root, path: '', n: root }))(source));
}

// --- The model ------------------------------------------------------------------------------------

interface Trace {
  readonly root: number;
  readonly path: string;
  /** The chunks this value's lineage went through: a failure here fails those batches. */
  readonly chunks: readonly string[];
}

/** A place where an item's lineage fails: the stage's name, and why. */
export interface FailPoint {
  readonly root: number;
  readonly node: string;
  readonly kind: 'permanent' | 'transient' | 'unmatched';
  readonly chunks: readonly string[];
}

interface World {
  /** false: the first attempt (a transient failure stops the lineage); true: transients pass. */
  readonly transientsPass: boolean;
  readonly points: FailPoint[];
  readonly visits: { root: number; chunk: string }[];
}

function simStage(st: Stage, loc: string, vals: readonly Trace[], w: World): Trace[] {
  const name = `${st.kind}@${loc}`;
  const out: Trace[] = [];
  const failing = (fail: Fail | null, v: Trace): boolean => {
    const f = failureOf(fail, v.root);
    if (f === null) return false;
    w.points.push({ root: v.root, node: name, kind: f, chunks: v.chunks });
    return f === 'permanent' || !w.transientsPass;
  };
  const val = (v: Trace): Val => ({ root: v.root, path: v.path, n: 0 });
  switch (st.kind) {
    case 'map':
      for (const v of vals) if (!failing(st.fail, v)) out.push(v);
      return out;
    case 'filter':
      return vals.filter((v) => keeps(st, val(v)));
    case 'flatMap':
      for (const v of vals) {
        const k = childCount(st, val(v));
        for (let j = 0; j < k; j++) out.push({ ...v, path: `${v.path}.f${j}` });
      }
      return out;
    case 'scan':
      return [...vals];
    case 'chunk':
      for (const v of vals) {
        w.visits.push({ root: v.root, chunk: name });
        out.push({ ...v, chunks: [...v.chunks, name] });
      }
      return out;
    case 'node':
      for (const v of vals) {
        // The node's own retries absorb a transient failure: it never reaches the item's root.
        if (st.retries > 0 && failureOf(st.fail, v.root) === 'transient') {
          out.push(...(st.out === 'push2' ? [0, 1].map((j) => ({ ...v, path: `${v.path}.p${j}` })) : [v]));
          continue;
        }
        if (failing(st.fail, v)) continue;
        if (st.out === 'push2') for (let j = 0; j < 2; j++) out.push({ ...v, path: `${v.path}.p${j}` });
        else out.push(v);
      }
      return out;
    case 'broadcast':
      st.branches.forEach((b, j) => {
        out.push(...simPipeline(b, at(loc, j), vals.map((v) => ({ ...v, path: `${v.path}.b${j}` })), w));
      });
      return out;
    case 'route': {
      const groups = new Map<string, Trace[]>();
      for (const v of vals) {
        const i = routeIndex(st, val(v));
        const key = i < st.keyed.length ? `k${i}` : st.fallback !== null ? 'default' : undefined;
        if (key === undefined) {
          w.points.push({ root: v.root, node: name, kind: 'unmatched', chunks: v.chunks });
          continue;
        }
        groups.set(key, [...(groups.get(key) ?? []), v]);
      }
      st.keyed.forEach((b, j) => out.push(...simPipeline(b, at(loc, `k${j}`), groups.get(`k${j}`) ?? [], w)));
      if (st.fallback !== null) out.push(...simPipeline(st.fallback, at(loc, 'default'), groups.get('default') ?? [], w));
      return out;
    }
    case 'partition': {
      const yes = vals.filter((v) => partitionYes(st, val(v)));
      const no = vals.filter((v) => !partitionYes(st, val(v)));
      return [...simPipeline(st.branches[0], at(loc, 0), yes, w), ...simPipeline(st.branches[1], at(loc, 1), no, w)];
    }
  }
}

function simPipeline(p: Pipeline, prefix: string, vals: readonly Trace[], w: World): Trace[] {
  return p.reduce<readonly Trace[]>((vs, st, i) => simStage(st, at(prefix, i), vs, w), vals) as Trace[];
}

/** What the model predicts for one input item. */
export interface ItemModel {
  readonly root: number;
  /** Paths that leave the pipeline's end on the first attempt (transient failures stop lineages). */
  readonly firstLeaves: readonly string[];
  /** Paths that leave the pipeline's end once every transient failure has been spent. */
  readonly finalLeaves: readonly string[];
  /** Failures on the first attempt: under `none` each is one error; under tracked levels any fails the item. */
  readonly firstPoints: readonly FailPoint[];
  /** Every failure point the item's lineage can reach (transients do not stop it). */
  readonly allPoints: readonly FailPoint[];
  /** A permanent failure (or an unmatched route key) somewhere: every attempt fails. */
  readonly permanent: boolean;
  /** Transient failure points reachable: replay needs at most this many retries. */
  readonly transients: number;
  /** Batched by a chunk downstream of which some item fails: a batch-mate's failure can fail it. */
  readonly coupled: boolean;
}

export interface Model {
  readonly items: readonly ItemModel[];
  /** Failures on the first attempt, all items together: what `none` counts. */
  readonly firstPointCount: number;
  /** Whether any item is coupled to another's failure through a chunk. */
  readonly anyCoupled: boolean;
}

export function model(p: Pipeline, n: number): Model {
  const roots = Array.from({ length: n }, (_, root) => ({ root, path: '', chunks: [] as string[] }));
  const first: World = { transientsPass: false, points: [], visits: [] };
  const final: World = { transientsPass: true, points: [], visits: [] };
  const firstOut = simPipeline(p, '', roots, first);
  const finalOut = simPipeline(p, '', roots, final);
  const tainted = new Set(final.points.flatMap((pt) => pt.chunks));
  const coupled = new Set(final.visits.filter((v) => tainted.has(v.chunk)).map((v) => v.root));
  const items = roots.map(({ root }): ItemModel => {
    const allPoints = final.points.filter((pt) => pt.root === root);
    return {
      root,
      firstLeaves: firstOut.filter((t) => t.root === root).map((t) => t.path).sort(),
      finalLeaves: finalOut.filter((t) => t.root === root).map((t) => t.path).sort(),
      firstPoints: first.points.filter((pt) => pt.root === root),
      allPoints,
      permanent: allPoints.some((pt) => pt.kind !== 'transient'),
      transients: allPoints.filter((pt) => pt.kind === 'transient').length,
      coupled: coupled.has(root),
    };
  });
  return { items, firstPointCount: first.points.length, anyCoupled: coupled.size > 0 };
}
