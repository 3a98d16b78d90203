import { parse, Scalar, visit, type Document } from 'yaml';
import { ConsecutionError } from '../errors.js';

/** The variables a pipeline file's `${VAR}` reads. */
export type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}|\$\$/g;

/**
 * Replaces `${VAR}` and `${VAR:default}` in every string of the document (`$$` is a literal `$`).
 * An unset variable without a default is an error at its line and column. A plain (unquoted) value
 * that is one variable alone takes the type its text reads as (`port: ${PORT}` is a number when
 * PORT is `8080`); a quoted one stays a string.
 *
 * @example
 * ```ts
 * import { parseDocument } from 'yaml';
 * import { interpolate } from './interpolate.js';
 *
 * const doc = parseDocument('port: ${PORT:8080}\nurl: "${DATABASE_URL}"');
 * interpolate(doc, { DATABASE_URL: 'postgres://127.0.0.1/test' }, (offset) => `pipeline.yaml@${offset}`);
 * ```
 */
export function interpolate(doc: Document, env: Env, at: (offset: number) => string): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const text = node.value;
      let whole = false;
      const replaced = text.replace(VARIABLE, (match, name: string | undefined, fallback: string | undefined) => {
        if (name === undefined) return '$';
        const value = env[name] ?? fallback;
        if (value === undefined) {
          throw new ConsecutionError(
            'CONFIG_INVALID',
            `${at(node.range?.[0] ?? 0)}: \${${name}} is not set, and has no default (write \${${name}:default} to give one)`,
          );
        }
        whole = match === text;
        return value;
      });
      node.value = whole && node.type === Scalar.PLAIN ? (parse(replaced) as unknown) ?? replaced : replaced;
    },
  });
}
