import { ConsecutionError, messageOf, preview } from '../errors.js';
import type { JournalEntry } from '../store/store.js';
import { parseLine, type LineFormat } from './line-format.js';
import { badInput } from './payload.js';
import type { Parsed, Source } from './source.js';

/** A parse that fails with `BAD_INPUT` (see badInput). */
function fails(message: string, node: string, cause?: unknown): { error: ConsecutionError } {
  return { error: badInput(message, node, cause) };
}

/**
 * The {@link Source.parse} of a line source (fromFile, fromStdin): a redriven raw line parsed
 * again as `format`. A `lines` source fails a line only for its length, and keeps just its first
 * bytes: such a line cannot be parsed again.
 *
 * @example
 * ```ts
 * const parse = lineParser('ndjson', 'events.ndjson');
 * parse('{"n":1}');  // { value: { n: 1 } }
 * parse('not json'); // { error: ConsecutionError BAD_INPUT: events.ndjson: raw input "not json" is not valid JSON (...) }
 * ```
 */
export function lineParser<T>(format: LineFormat, name: string): (raw: unknown) => Parsed<T> {
  return (raw) => {
    if (typeof raw !== 'string') return fails(`${name}: raw input ${preview(raw)} is not a line of text, so it cannot be parsed again`, name);
    if (format === 'lines') {
      return fails(`${name}: raw input ${preview(raw)} cannot be parsed again: a 'lines' source fails a line only when it is longer than maxLineBytes, and keeps just its first bytes`, name);
    }
    const value = parseLine(raw, format, name, 0);
    if (value instanceof ConsecutionError) return fails(`${name}: raw input ${preview(raw)} is not valid JSON (${messageOf(value.cause)})`, name, value.cause);
    if (value === undefined) return fails(`${name}: raw input ${preview(raw)} is a blank line, which is no item`, name);
    return { value: value as T };
  };
}

/**
 * What a run sends in for a journal entry it restores: its value, or, for raw input (`rawOf`
 * set: an item journaled as the text it was parsed from, or bad input redriven with
 * `includeBadInput`), what `source` parses it into now: a value, or an error (`BAD_INPUT`) to
 * fail it with again. Nothing unparsed reaches the pipeline.
 *
 * @example
 * ```ts
 * const source = fromFile('events.ndjson', { format: 'ndjson' });
 * const input = restoredInput(source, { id: 7, value: 'not json', position: undefined, rawOf: 'events.ndjson' });
 * if ('error' in input) console.error(input.error); // ConsecutionError BAD_INPUT: the item fails again
 * ```
 */
export function restoredInput(source: Source<unknown>, entry: JournalEntry): Parsed<unknown> {
  if (entry.rawOf === undefined) return { value: entry.value };
  const what = `item #${entry.id} is journaled as raw input of source "${entry.rawOf}" (the text it was parsed from, or redriven bad input)`;
  if (source.parse === undefined) return fails(`${what}, and source "${source.name}" cannot parse it again (it has no parse())`, source.name);
  try {
    return source.parse(entry.value);
  } catch (e) {
    return fails(`${what}, and source "${source.name}" threw parsing it again: ${messageOf(e)}`, source.name, e);
  }
}
