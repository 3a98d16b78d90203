import type { ConfigPath } from './document.js';

/** NanoStream's class names, and the built-ins they are (with the params they rename). */
const CLASSES: Readonly<Record<string, { readonly use: string; readonly rename?: Readonly<Record<string, string>> }>> = {
  WatchdogDirectoryListener: { use: 'watchDirectory', rename: { watchdog_path: 'dir' } },
  PrintStreamProcessor: { use: 'print' },
  FileReader: { use: 'readFile' },
  FileWriter: { use: 'writeFile', rename: { path: 'dir' } },
  // topic and brokers as toKafka names them; brokers a list or one comma-separated string, as toKafka takes it.
  KafkaProducer: { use: 'toKafka' },
};

/** A NanoStream file read as a pipeline file, and how to find each of its parts in the original. */
export interface Translated {
  readonly value: unknown;
  /** The path in the original file of a path in `value`. */
  readonly back: (path: ConfigPath) => ConfigPath;
}

/** Whether a file is written in NanoStream's format (`pipeline_name`, `node_sequence`). */
export function isNanoStream(value: unknown): boolean {
  return value !== null && typeof value === 'object' && ('node_sequence' in value || 'pipeline_name' in value);
}

/**
 * Reads a NanoStream file (`pipeline_name`, `node_sequence` of `{ name, class, parents, ...params }`
 * whose first node is the source) as a pipeline file: `class` becomes `use` (the built-in it maps
 * to), renamed params take their built-in's names. Anything unknown is kept as written, so that
 * validation names it.
 *
 * @example
 * ```ts
 * const t = fromNanoStream({ pipeline_name: 'p', node_sequence: [{ name: 'w', class: 'WatchdogDirectoryListener', watchdog_path: 'in' }] });
 * // t.value: { name: 'p', source: { name: 'w', use: 'watchDirectory', dir: 'in' }, nodes: [] }
 * ```
 */
export function fromNanoStream(file: Record<string, unknown>): Translated {
  const { pipeline_name: name, node_sequence: sequence, ...rest } = file;
  const entries = Array.isArray(sequence) ? sequence.map(translate) : sequence;
  const [source, ...nodes] = Array.isArray(entries) ? entries : [undefined];
  const value = { ...rest, ...(name === undefined ? {} : { name }), source, nodes: Array.isArray(entries) ? nodes : entries };
  const back = (path: ConfigPath): ConfigPath => {
    const [top, ...tail] = path;
    if (top === 'name') return ['pipeline_name', ...tail];
    if (top !== 'source' && top !== 'nodes') return path;
    if (tail.length === 0) return ['node_sequence'];
    const index = top === 'source' ? 0 : Number(tail.shift()) + 1;
    const original = Array.isArray(sequence) ? (sequence[index] as Record<string, unknown> | undefined) : undefined;
    const [key, ...deeper] = tail;
    if (key === undefined) return ['node_sequence', index];
    if (key === 'use') return ['node_sequence', index, 'class', ...deeper];
    const renames = CLASSES[String(original?.class)]?.rename ?? {};
    const from = Object.keys(renames).find((k) => renames[k] === key);
    return ['node_sequence', index, from ?? key, ...deeper];
  };
  return { value, back };
}

function translate(entry: unknown): unknown {
  if (entry === null || typeof entry !== 'object' || !('class' in entry)) return entry;
  const { class: cls, ...params } = entry as Record<string, unknown>;
  const known = CLASSES[String(cls)];
  const out: Record<string, unknown> = { use: known?.use ?? cls };
  for (const [k, v] of Object.entries(params)) out[known?.rename?.[k] ?? k] = v;
  return out;
}

/** The NanoStream class names, for "did you mean". */
export const NANOSTREAM_CLASSES = Object.keys(CLASSES);
