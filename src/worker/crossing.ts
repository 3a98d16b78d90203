import { types } from 'node:util';

/** What would become of a value sent to a worker: it fails to go, or it arrives changed. */
export interface Loss {
  readonly fails: boolean;
  /** Where in the value (`.a[2]`; empty for the value itself) and what: "a function cannot be cloned". */
  readonly what: string;
}

/** Error types the structured clone keeps (with their message, stack and cause, nothing else). */
const STANDARD_ERRORS = new Set<unknown>([Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].map((E) => E.prototype));
const ERROR_KEYS = new Set(['stack', 'message', 'cause']);
/** Built-ins that cross as themselves (their own contents aside). */
const KEPT = new Set<unknown>([Date.prototype, RegExp.prototype, Boolean.prototype, Number.prototype, String.prototype]);

/** How many nested values one check looks at, at most: a big item is sampled, not walked whole (and a cycle ends). */
const BUDGET = 1_000;

/**
 * The first part of `value` that would not cross to a worker unchanged (the structured clone of a
 * thread, V8's serializer for a child process), or undefined when, as far as this looks, all of it
 * would. A function, a symbol, a WeakMap, a Promise or a Proxy fails; a class instance arrives as
 * a plain object, a subclass of Map, Set, Array or Error as its base, an Error without its own
 * properties but message, stack and cause, a Buffer as a Uint8Array (in a thread), and symbol keys
 * are dropped. Getters are read and non-enumerable properties dropped, unchecked: checking costs.
 *
 * @example
 * ```ts
 * lossOf({ at: new Date(), tags: new Set(['a']) }); // undefined
 * lossOf({ f: () => 1 }); // { fails: true, what: 'at .f, a function cannot be cloned' }
 * ```
 */
export function lossOf(value: unknown): Loss | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return undefined;
  return new Walk().at(value, '');
}

class Walk {
  private left = BUDGET;

  at(v: unknown, path: string): Loss | undefined {
    if (--this.left < 0) return undefined;
    if (typeof v === 'function') return fail(path, 'a function');
    if (typeof v === 'symbol') return fail(path, 'a symbol');
    if (v === null || typeof v !== 'object') return undefined;
    if (types.isProxy(v)) return fail(path, 'a Proxy');
    if (types.isWeakMap(v) || types.isWeakSet(v) || types.isPromise(v) || v instanceof WeakRef) return fail(path, `a ${className(v)}`);
    if (ArrayBuffer.isView(v) || types.isAnyArrayBuffer(v)) {
      return Buffer.isBuffer(v) ? change(path, 'a Buffer would arrive in a worker thread as a Uint8Array (in a worker process it stays a Buffer)') : undefined;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (Array.isArray(v)) return this.subclass(v, proto, Array.prototype, path) ?? this.items(v, path);
    if (v instanceof Map) return this.subclass(v, proto, Map.prototype, path) ?? this.entries(v, path);
    if (v instanceof Set) return this.subclass(v, proto, Set.prototype, path) ?? this.items([...v], `${path}<set>`);
    if (v instanceof Error) return this.error(v, proto, path);
    if (KEPT.has(proto)) return undefined;
    if (proto !== Object.prototype && proto !== null) {
      return change(path, `a ${className(v)} instance would arrive as a plain object of its own enumerable properties: its class (prototype, methods, private fields) would be lost`);
    }
    return this.fields(v, path);
  }

  private subclass(v: object, proto: unknown, base: object, path: string): Loss | undefined {
    if (proto === base) return undefined;
    const name = (base as { constructor: { name: string } }).constructor.name;
    return change(path, `a ${className(v)} (a subclass of ${name}) would arrive as a plain ${name}: its class would be lost`);
  }

  private error(e: Error, proto: unknown, path: string): Loss | undefined {
    if (!STANDARD_ERRORS.has(proto)) return change(path, `a ${className(e)} would arrive as a plain Error (its name and own properties lost but message, stack and cause)`);
    const extra = Object.keys(e).find((k) => !ERROR_KEYS.has(k));
    if (extra !== undefined) return change(path, `an Error's own property "${extra}" would be lost (only message, stack and cause cross)`);
    return this.at(e.cause, `${path}.cause`);
  }

  private items(xs: readonly unknown[], path: string): Loss | undefined {
    for (let i = 0; i < xs.length; i++) {
      const loss = this.at(xs[i], `${path}[${i}]`);
      if (loss !== undefined) return loss;
    }
    return undefined;
  }

  private entries(m: Map<unknown, unknown>, path: string): Loss | undefined {
    for (const [k, v] of m) {
      const loss = this.at(k, `${path}<key>`) ?? this.at(v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`);
      if (loss !== undefined) return loss;
    }
    return undefined;
  }

  private fields(o: object, path: string): Loss | undefined {
    if (Object.getOwnPropertySymbols(o).some((s) => Object.prototype.propertyIsEnumerable.call(o, s))) {
      return change(path, 'a property keyed by a symbol would be dropped');
    }
    for (const k in o) {
      const loss = this.at((o as Record<string, unknown>)[k], `${path}.${k}`);
      if (loss !== undefined) return loss;
    }
    return undefined;
  }
}

const where = (path: string) => (path === '' ? '' : `at ${path}, `);
const fail = (path: string, what: string): Loss => ({ fails: true, what: `${where(path)}${what} cannot be cloned` });
const change = (path: string, what: string): Loss => ({ fails: false, what: `${where(path)}${what}` });

function className(v: object): string {
  const name: unknown = (Object.getPrototypeOf(v) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}
