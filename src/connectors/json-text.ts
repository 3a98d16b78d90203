import { ConsecutionError, messageOf, previewTyped } from '../errors.js';

/**
 * A value as the JSON text a broker connector sends (a Redis entry's field, a NATS message's
 * payload, a dead letter's record); throws `OUTPUT_FAILED` (not retryable) naming `where` when the
 * value has none (a BigInt, a cycle, undefined).
 *
 * @example
 * ```ts
 * jsonText({ n: 1 }, 'toNats orders'); // '{"n":1}'
 * ```
 */
export function jsonText(value: unknown, where: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new ConsecutionError('OUTPUT_FAILED', `${where}: the value cannot be written as JSON: ${messageOf(e)}`, { retryable: false, cause: e });
  }
  if (text === undefined) throw new ConsecutionError('OUTPUT_FAILED', `${where}: the value cannot be written as JSON: ${previewTyped(value)}`, { retryable: false });
  return text;
}
