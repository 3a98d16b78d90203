import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { ConsecutionError } from '../errors.js';
import { interpolate, type Env } from './interpolate.js';

/** A key path into a config: map keys and sequence indices. */
export type ConfigPath = readonly (string | number)[];

/**
 * A pipeline file read and parsed: its plain value, and where each part of it came from, so that
 * every error can say `file:line:col`.
 */
export interface ConfigDocument {
  /** The file as given on the command line (used in messages). */
  readonly file: string;
  /** The directory that relative paths in the file resolve against. */
  readonly dir: string;
  /** The file's value after `${VAR}` interpolation and `--set` overrides. */
  readonly value: unknown;
  /**
   * Where `path` is: `file:line:col` of its value (or of its key, with `key: true`), the
   * `--set` that gave it, or the nearest enclosing part that exists (for a missing key).
   */
  where(path: ConfigPath, options?: { readonly key?: boolean }): string;
}

/** Options of {@link readConfig}. */
export interface ReadConfigOptions {
  /** `key.path=value` overrides (`--set`); the value is read as YAML (`3`, `true`, `[a, b]`, text). */
  readonly set?: readonly string[];
  /** The variables `${VAR}` reads. @default process.env */
  readonly env?: Env;
}

/**
 * Reads a pipeline file: parses the YAML (a syntax error names `file:line:col` and shows the line),
 * interpolates `${VAR}` / `${VAR:default}`, and applies the `--set` overrides.
 *
 * @example
 * ```ts
 * const doc = readConfig('pipeline.yaml', { set: ['source.port=9000'], env: { DATABASE_URL: 'postgres://127.0.0.1/test' } });
 * console.log(doc.where(['source', 'port'])); // --set source.port=9000
 * ```
 */
export function readConfig(file: string, options: ReadConfigOptions = {}): ConfigDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConsecutionError('CONFIG_INVALID', `${file}: cannot read the pipeline file: ${(e as Error).message}`, { cause: e });
  }
  return parseConfig(text, file, options);
}

/** {@link readConfig} of a text already read (`file` names it in messages and sets the base directory). */
export function parseConfig(text: string, file: string, options: ReadConfigOptions = {}): ConfigDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const at = (offset: number) => {
    const p = lines.linePos(offset);
    return `${file}:${p.line}:${p.col}`;
  };
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const [first, ...snippet] = syntax.message.split('\n');
    const message = first!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConsecutionError('CONFIG_INVALID', `${at(syntax.pos[0])}: ${message}${snippet.length > 0 ? `\n${snippet.filter((l) => l !== '').map((l) => `  ${l}`).join('\n')}` : ''}`);
  }
  if (doc.contents === null) throw new ConsecutionError('CONFIG_INVALID', `${file}: the pipeline file is empty`);
  interpolate(doc, options.env ?? process.env, at);
  const overrides = applySets(doc, options.set ?? [], file);
  return {
    file,
    dir: dirname(resolve(file)),
    value: doc.toJS() as unknown,
    where(path, where = {}) {
      for (const [set, expr] of overrides) if (startsWith(path, set)) return `--set ${expr}`;
      const found = locate(doc, path);
      const range = where.key === true && found.key !== undefined ? found.key.range : found.node.range;
      return range === undefined || range === null ? file : at(range[0]);
    },
  };
}

/** The node at `path`, or the deepest one that exists on the way (and, for a map entry, its key). */
function locate(doc: Document, path: ConfigPath): { node: YamlNode; key?: YamlNode } {
  let node = doc.contents as YamlNode;
  let key: YamlNode | undefined;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === step);
      if (pair === undefined || !isScalar(pair.key)) return { node };
      key = pair.key;
      if (pair.value === null) return { node: pair.key, key };
      node = pair.value as YamlNode;
    } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
      node = node.items[step] as YamlNode;
      key = undefined;
    } else {
      return { node };
    }
  }
  return key === undefined ? { node } : { node, key };
}

function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(path[i]) === String(p));
}

/**
 * Applies `key.path=value` overrides. In a list of nodes, a step may name a node (`nodes.rows.table`)
 * as well as index it (`nodes.2.table`). Returns each override's resolved path and its text.
 */
function applySets(doc: Document, sets: readonly string[], file: string): [ConfigPath, string][] {
  return sets.map((expr) => {
    const eq = expr.indexOf('=');
    if (eq <= 0) throw new ConsecutionError('CONFIG_INVALID', `--set ${expr}: expected key.path=value (e.g. source.port=9000)`);
    const steps = expr.slice(0, eq).split('.');
    const path: (string | number)[] = [];
    let node = doc.contents;
    for (const step of steps) {
      if (isSeq(node)) {
        const i = /^\d+$/.test(step) ? Number(step) : node.items.findIndex((n) => isMap(n) && n.get('name') === step);
        if (i < 0 || i >= node.items.length) {
          const names = node.items.flatMap((n) => (isMap(n) && typeof n.get('name') === 'string' ? [String(n.get('name'))] : []));
          throw new ConsecutionError('CONFIG_INVALID', `--set ${expr}: ${file} has no node ${step} at ${path.join('.') || '(top)'}${names.length > 0 ? `; its nodes: ${names.join(', ')}` : ''}`);
        }
        path.push(i);
        node = node.items[i] as YamlNode;
      } else {
        path.push(step);
        node = isMap(node) ? (node.get(step, true) as YamlNode | undefined) ?? null : null;
      }
    }
    const value = parseDocument(expr.slice(eq + 1)).toJS() as unknown;
    doc.setIn(path, doc.createNode(value ?? ''));
    return [path, expr];
  });
}
