/**
 * The codes a {@link ConsecutionError} can carry. Tell errors apart by `code`, never by message.
 */
export type ErrorCode =
  | 'ACK_TIMEOUT'
  | 'NODE_FAILED'
  | 'NODE_TIMEOUT'
  | 'NODE_REJECTED'
  | 'ROUTE_UNMATCHED'
  | 'CHECK_FAILED'
  | 'BAD_INPUT'
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
  | 'STORE_FAILED';

/**
 * The one error class of consecution: every error it throws or records is one, with a literal
 * `code` and, where it wraps another error, a `cause`.
 *
 * @example
 * ```ts
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
 * A short one-line rendering of an item for error messages: JSON where it can, truncated.
 */
export function preview(value: unknown, max = PREVIEW_LENGTH): string {
  let text: string;
  try {
    text =
      typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'bigint'
          ? `${value}n`
          : value === undefined
            ? 'undefined'
            : typeof value === 'function'
              ? `[function ${value.name || 'anonymous'}]`
              : (JSON.stringify(value) ?? Object.prototype.toString.call(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
