import type { ConfigPath } from './document.js';
import { suggest } from '../stage/suggest.js';
import { problem, type Locator } from './issues.js';

/** Names of the Consecutor's own outputs: no node may take them. */
const RESERVED = ['default', 'deadLetter'];

/** A node of a pipeline file's graph: its name, the names it reads, where it is written. */
export interface GraphEntry {
  readonly name: string;
  readonly parents: readonly string[];
  readonly path: ConfigPath;
}

/**
 * The file's nodes in an order where parents come first, or undefined with located problems added:
 * a name used twice, a parent that is no node (with "did you mean"), a node that is its own
 * ancestor (the cycle is named).
 *
 * @example
 * ```ts
 * import type { Locator } from './issues.js';
 * import { order } from './order.js';
 *
 * declare const at: Locator;
 * const problems: string[] = [];
 * order(at, problems, 'source', [{ name: 'b', parents: ['a'], path: ['nodes', 0] }, { name: 'a', parents: ['source'], path: ['nodes', 1] }]);
 * // [a, b]
 * ```
 */
export function order(at: Locator, problems: string[], source: string, entries: readonly GraphEntry[]): GraphEntry[] | undefined {
  const before = problems.length;
  const byName = new Map<string, GraphEntry>();
  for (const e of entries) {
    if (RESERVED.includes(e.name)) problems.push(problem(at, [...e.path, 'name'], `the name ${JSON.stringify(e.name)} is reserved (the output of the pipeline's end, and of dead letters: see deadLetter)`));
    else if (e.name === source || byName.has(e.name)) problems.push(problem(at, [...e.path, 'name'], `the name ${JSON.stringify(e.name)} is used twice${e.name === source ? ' (it is the source)' : ''}`));
    else byName.set(e.name, e);
  }
  const known = [source, ...byName.keys()];
  for (const e of entries) {
    e.parents.forEach((p, i) => {
      if (p === e.name) problems.push(problem(at, [...e.path, 'parents', i], `${e.name} cannot be its own parent`));
      else if (p !== source && !byName.has(p)) {
        const meant = suggest(p, known);
        problems.push(problem(at, [...e.path, 'parents', i], `unknown parent ${JSON.stringify(p)}${meant === undefined ? '' : ` (did you mean ${meant}?)`}; the source and nodes are: ${known.join(', ')}`));
      } else if (e.parents.indexOf(p) !== i) problems.push(problem(at, [...e.path, 'parents', i], `parent ${JSON.stringify(p)} is listed twice`));
    });
  }
  if (problems.length > before) return undefined;
  // Depth-first, parents first; a node met again while still open closes a cycle.
  const sorted: GraphEntry[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (e: GraphEntry, trail: string[]): boolean => {
    if (state.get(e.name) === 'done') return true;
    if (state.get(e.name) === 'open') {
      const cycle = [...trail.slice(trail.indexOf(e.name)), e.name];
      problems.push(problem(at, [...e.path, 'parents'], `the nodes form a cycle: ${cycle.join(' <- ')} (each reads the one after it; a pipeline has no cycles)`));
      return false;
    }
    state.set(e.name, 'open');
    for (const p of e.parents) if (p !== source && !visit(byName.get(p)!, [...trail, e.name])) return false;
    state.set(e.name, 'done');
    sorted.push(e);
    return true;
  };
  for (const e of entries) if (!visit(e, [])) return undefined;
  return sorted;
}
