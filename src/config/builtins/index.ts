import { nodes } from './nodes.js';
import { sinks } from './sinks.js';
import { sources } from './sources.js';
import type { Builtin } from './builtin.js';

export { sources, sinks, nodes };
export type { Builtin, BuiltinKind, BuildContext } from './builtin.js';

/** Every built-in a node can `use` (the nodes and operators, and the sinks). */
export const nodeBuiltins: Readonly<Record<string, Builtin<'node' | 'sink' | 'route'>>> = { ...nodes, ...sinks };

/** Whether `use` names a module (a path) rather than a built-in. */
export function isModulePath(use: string): boolean {
  return use.startsWith('./') || use.startsWith('../') || use.startsWith('/') || use.startsWith('file:') || /\.[cm]?[jt]s$/.test(use);
}
