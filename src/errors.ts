/**
 * The codes a {@link ConsecutionError} can carry. Tell errors apart by `code`, never by message.
 */
export type ErrorCode =
  | 'ACK_TIMEOUT'
  | 'DRAIN_TIMEOUT'
  | 'NODE_FAILED'
  | 'NODE_TIMEOUT'
  | 'NODE_REJECTED'
  | 'ROUTE_UNMATCHED'
  | 'CHECK_FAILED'
  | 'BAD_INPUT'
  | 'DELIVERY_LIMIT'
  | 'OPTIONS_INVALID'
  | 'CONFIG_INVALID'
  | 'OUTPUT_UNKNOWN'
  | 'OUTPUT_FAILED'
  | 'RUN_ACTIVE'
  | 'NOT_RUNNING'
  | 'PIPELINE_ERROR'
  | 'SOURCE_FAILED'
  | 'WORKER_CRASHED'
  | 'STORE_CLOSED'
  | 'STORE_LOCKED'
  | 'STORE_FAILED'
  | 'DEPENDENCY_MISSING';

/**
 * The one error class of consecution: every error it throws or records is one, with a literal
 * `code` and, where it wraps another error, a `cause`.
 *
 * @example
 * ```ts
 * declare const p: Node<number, number>;
 * try { new Consecutor(p, { maxPending: -1 }) }
 * catch (e) { if (e instanceof ConsecutionError && e.code === 'OPTIONS_INVALID') console.error(e.message) }
 * ```
 */
export class ConsecutionError extends Error {
  override readonly name = 'ConsecutionError';
  readonly code: ErrorCode;
  /** The node the error happened in, where there is one. */
  readonly node: string | undefined;
  /** False when trying the same item again cannot help (a malformed input line). */
  readonly retryable: boolean;
  /** Why a node rejected an item: the value of the fp-ts `Left` it returned. */
  readonly reason: unknown;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; node?: string; retryable?: boolean; reason?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.node = options.node;
    this.retryable = options.retryable ?? true;
    this.reason = options.reason;
  }
}

/** Whether `e` is a {@link ConsecutionError}, optionally of one code. */
export function isConsecutionError(e: unknown, code?: ErrorCode): e is ConsecutionError {
  return e instanceof ConsecutionError && (code === undefined || e.code === code);
}

/**
 * Whether trying an item again can help after `e`: anything but one of our errors that says it
 * cannot (a malformed input line). Local retries, replays and a worker's failures all ask this.
 */
export function isRetryable(e: unknown): boolean {
  return !(e instanceof ConsecutionError) || e.retryable;
}

/** The message of anything thrown: errors give theirs, other values are previewed. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return preview(e);
}

const PREVIEW_LENGTH = 80;

/**
 * A short one-line rendering of an item for error messages: JSON where it can, truncated. What
 * JSON cannot show reads as in code: `undefined`, `Infinity`, `NaN`, `5n`, `Symbol(id)`,
 * `[function name]` (JSON would give `null`, nothing, or throw), nested ones as strings.
 *
 * @example
 * ```ts
 * preview({ id: 1 }) // '{"id":1}'
 * preview(Infinity)  // 'Infinity'
 * ```
 */
export function preview(value: unknown, max = PREVIEW_LENGTH): string {
  let text: string;
  try {
    text =
      typeof value === 'string'
        ? JSON.stringify(value.length > max ? value.slice(0, max) : value)
        : ArrayBuffer.isView(value)
          ? binary(value)
          : (unJsonable(value) ?? JSON.stringify(value, nested) ?? Object.prototype.toString.call(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * {@link preview} with the value's type in front where the rendering does not show it: what a
 * message about a bad argument says after "got" (`number 0`, `string "x"`, `array []`, but
 * `undefined`, `null`, `Infinity`, `NaN`, `5n`, `Symbol(id)`, `[function f]`).
 */
export function previewTyped(value: unknown): string {
  const text = preview(value);
  if (value === null || unJsonable(value) !== undefined) return text;
  return `${Array.isArray(value) ? 'array' : typeof value} ${text}`;
}

/**
 * A JSON replacer for {@link preview}: a property that is undefined stays left out, as in JSON;
 * binary data is shown by its size, long strings and arrays are cut first, so that a preview of a
 * big item costs little (a 256 KiB Buffer would otherwise become a 1 MB string of its bytes).
 */
function nested(this: unknown, key: string, value: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (ArrayBuffer.isView(raw)) return binary(raw);
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > PREVIEW_LENGTH) return value.slice(0, PREVIEW_LENGTH);
  if (Array.isArray(value) && value.length > PREVIEW_LENGTH) return value.slice(0, PREVIEW_LENGTH);
  return unJsonable(value) ?? value;
}

function binary(view: ArrayBufferView): string {
  return `[${view.constructor.name} of ${view.byteLength} bytes]`;
}

/** How a value that JSON would lose or choke on reads; undefined for the values JSON shows. */
function unJsonable(value: unknown): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
      return Number.isFinite(value) ? (Object.is(value, -0) ? '-0' : undefined) : String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
    default:
      return undefined;
  }
}
