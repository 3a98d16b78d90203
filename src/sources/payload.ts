import { ConsecutionError, messageOf } from '../errors.js';

/** What a broker message is as an item: its value, or the error that fails it (its value is then the raw text, or what there was). */
export interface DecodedPayload {
  readonly value: unknown;
  readonly error: ConsecutionError | undefined;
  /** The text the value was parsed from (JSON), else undefined: the reader's SourceReader.raw. */
  readonly raw?: string | undefined;
}

/** A `BAD_INPUT` failure (not retryable) of source `node`. */
export function badInput(message: string, node: string, cause?: unknown): ConsecutionError {
  return new ConsecutionError('BAD_INPUT', message, { node, retryable: false, ...(cause === undefined ? {} : { cause }) });
}

/**
 * `raw` parsed as JSON; malformed, it fails with `BAD_INPUT`: "`<node> <what> is not valid JSON (...)`",
 * its value the raw text (what the dead letter keeps, and a redrive parses again).
 */
export function decodeJson(raw: string, node: string, what: string): DecodedPayload {
  try {
    return { value: JSON.parse(raw) as unknown, error: undefined, raw };
  } catch (e) {
    return { value: raw, error: badInput(`${node} ${what} is not valid JSON (${messageOf(e)})`, node, e), raw: undefined };
  }
}
