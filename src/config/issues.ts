import type { z } from 'zod';
import { ConsecutionError, previewTyped } from '../errors.js';
import { suggest } from '../stage/suggest.js';
import type { ConfigDocument, ConfigPath } from './document.js';

/** Where a part of the file being compiled is, for messages: its location and its key path as written. */
export interface Locator {
  readonly doc: ConfigDocument;
  /** The value being checked (a NanoStream file: translated), whose nodes' names label their paths. */
  readonly value: unknown;
  /** A path in the value being checked, as the path in the file as written (a NanoStream file is translated). */
  readonly back: (path: ConfigPath) => ConfigPath;
}

/** `nodes[2].table`: a key path as a reader finds it in the file. */
export function pathText(path: ConfigPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(the file)';
}

/** One problem, located: `file:line:col: key.path (node name): what is wrong`. */
export function problem(at: Locator, path: ConfigPath, message: string, key = false): string {
  const original = at.back(path);
  const name = path[0] === 'nodes' && typeof path[1] === 'number' ? valueAt(at.value, ['nodes', path[1], 'name']) : undefined;
  return `${at.doc.where(original, { key })}: ${pathText(original)}${typeof name === 'string' ? ` (node ${name})` : ''}: ${message}`;
}

/** The problems of a failed zod parse of `value` (checked at `base` in the file) against `schema`. */
export function issueProblems(at: Locator, base: ConfigPath, schema: z.ZodType, value: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...(issue.path as (string | number)[])];
    const got = valueAt(value, issue.path as (string | number)[]);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = keysOf(schemaAt(schema, issue.path as (string | number)[]));
        return issue.keys.map((k) => {
          const meant = known === undefined ? undefined : suggest(k, known);
          const list = known === undefined ? '' : `; known keys: ${known.join(', ')}`;
          return problem(at, [...path, k], `unknown key${meant === undefined ? '' : ` (did you mean ${meant}?)`}${list}`, true);
        });
      }
      case 'invalid_type':
        if (got !== undefined) return [problem(at, path, `expected ${issue.expected}, got ${previewTyped(got)}`)];
        {
          const what = describedAt(schema, issue.path);
          return [problem(at, path, `missing: give ${issue.expected === 'string' ? 'a string' : issue.expected}${what === undefined ? '' : ` (${what})`}`, true)];
        }
      case 'invalid_value': {
        const meant = typeof got === 'string' ? suggest(got, issue.values.map(String)) : undefined;
        const one = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
        return [problem(at, path, `expected ${one}, got ${previewTyped(got)}${meant === undefined ? '' : ` (did you mean ${meant}?)`}`)];
      }
      case 'too_small':
        return [problem(at, path, `${issue.message.replace(/^Too small: expected \w+ to have /, 'must have ')}, got ${previewTyped(got)}`)];
      default:
        // A missing key of several types (a connection: a string or an object): say what it is.
        if (issue.code === 'invalid_union' && got === undefined) return [problem(at, path, `missing: give ${describedAt(schema, issue.path) ?? issue.message}`, true)];
        return [problem(at, path, `${issue.message}, got ${previewTyped(got)}`)];
    }
  });
}

/** Throws CONFIG_INVALID listing every problem found (the file's problems at once, in file order). */
export function failWith(file: string, problems: readonly string[]): never {
  const position = (p: string) => {
    const m = /^[^\n]*?:(\d+):(\d+): /.exec(p);
    return m === null ? Infinity : Number(m[1]) * 1e6 + Number(m[2]);
  };
  const shown = [...problems].sort((a, b) => position(a) - position(b)).slice(0, 20);
  const more = problems.length > shown.length ? `\n(and ${problems.length - shown.length} more)` : '';
  throw new ConsecutionError('CONFIG_INVALID', `${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${shown.join('\n')}${more}`);
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

type Def = { type?: string; innerType?: unknown; element?: unknown; shape?: Record<string, unknown> };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The schema at `path` inside `schema` (through objects, arrays, optionals and defaults). */
function schemaAt(schema: z.ZodType, path: readonly (string | number)[]): z.ZodType | undefined {
  let s: unknown = schema;
  for (const step of path) {
    let def = defOf(s);
    while (def !== undefined && def.innerType !== undefined) def = defOf((s = def.innerType));
    if (def?.type === 'array') s = def.element;
    else if (def?.type === 'object' && typeof step === 'string') s = def.shape?.[step];
    else return undefined;
  }
  return s as z.ZodType | undefined;
}

/** The description of the schema at `path`, its default left out. */
function describedAt(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  return schemaAt(schema, path as (string | number)[])?.description?.replace(/ @default.*$/, '');
}

/** The keys an object schema knows (through optionals and defaults). */
function keysOf(schema: z.ZodType | undefined): string[] | undefined {
  let s: unknown = schema;
  let def = defOf(s);
  while (def !== undefined && def.innerType !== undefined) def = defOf((s = def.innerType));
  return def?.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : undefined;
}
