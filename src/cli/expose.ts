import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { readConfig } from '../config/document.js';
import { failWith, issueProblems } from '../config/issues.js';
import { Consecutor } from '../consecutor/consecutor.js';
import { GUARANTEES, MODES, type ConsecutorOptions } from '../consecutor/options.js';
import type { Node } from '../envelope/envelope.js';
import { isConsecutionError, messageOf } from '../errors.js';
import { runToExit } from './lifecycle.js';
import { integer, port } from './flags.js';
import { sourceFromUri, URI_FORMATS } from './source-uri.js';

/** Options of {@link exposeCli}. */
export interface ExposeCliOptions {
  /** The program's name in `--help` and the report. @default the script's file name */
  readonly name?: string;
  /** What `--version` prints. @default 'unknown' */
  readonly version?: string;
  /** One line for `--help`. */
  readonly description?: string;
  /** The Consecutor's named outputs (sinks), as in its options. */
  readonly outputs?: ConsecutorOptions['outputs'];
  /** The command line, without node and the script. @default process.argv.slice(2) */
  readonly argv?: readonly string[];
}

/** What a `--config` file holds: the flags' own values, by their option names. */
const settings = z.strictObject({
  source: z.string().min(1).optional().describe('stdin, file:PATH, http://HOST:PORT/PATH or tcp://HOST:PORT (ZeroMQ pull)'),
  format: z.enum(URI_FORMATS).optional().describe('json, ndjson, text or lines'),
  guarantee: z.enum(GUARANTEES).optional(),
  retries: z.int().min(0).optional(),
  maxPending: z.int().min(1).optional(),
  timeoutMs: z.int().min(1).optional(),
  mode: z.enum(MODES).optional(),
  store: z.string().min(1).optional().describe('a durable store directory'),
});
type Settings = z.infer<typeof settings>;

/**
 * Gives a script the life of a command-line program in one call: it parses `--source` (`stdin`,
 * `file:PATH`, `http://HOST:PORT/PATH`, `tcp://HOST:PORT` for a ZeroMQ PULL socket), `--format`,
 * `--guarantee`, `--retries`, `--max-pending`, `--timeout-ms`, `--mode`, `--store`, `--config
 * FILE` (YAML with the same keys in camelCase; flags win), `--help` and `--version`, then runs the
 * pipeline until its source ends or SIGINT/SIGTERM stops it gracefully (a second signal exits at
 * once), prints the report on stderr and resolves with the exit code, also set as
 * `process.exitCode`: 0 when the report is ok, 1 when not, 2 for a bad flag or config file (the
 * message names the flag or the file's line and column, and the value).
 *
 * @example
 * ```ts
 * // enrich.ts: node enrich.js --source http://127.0.0.1:8080/events --format ndjson --guarantee replay --store ./state
 * import { exposeCli, map, toFile } from 'consecution';
 *
 * await exposeCli(map('enrich', (e: { id: number }) => ({ ...e, seen: Date.now() })), {
 *   name: 'enrich',
 *   version: '1.0.0',
 *   outputs: { default: toFile('enriched.ndjson'), deadLetter: toFile('dead-letters.ndjson') },
 * });
 * ```
 */
export async function exposeCli<I>(pipeline: Node<I, unknown>, options: ExposeCliOptions = {}): Promise<number> {
  const name = options.name ?? (process.argv[1]?.split(/[\\/]/).pop()?.replace(/\.[cm]?[jt]s$/, '') || 'pipeline');
  const code = await exposed(pipeline, name, options);
  process.exitCode = code;
  return code;
}

async function exposed<I>(pipeline: Node<I, unknown>, name: string, options: ExposeCliOptions): Promise<number> {
  const program = flags(name, options);
  try {
    program.parse([...(options.argv ?? process.argv.slice(2))], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  let c: Consecutor<I, unknown>;
  let source: ReturnType<typeof sourceFromUri>;
  try {
    const given = program.opts<Settings & { config?: string }>();
    const s: Settings = { ...(given.config === undefined ? {} : fromConfig(given.config)), ...definedOnly(given) };
    if (s.source === undefined) throw new InvalidArgumentError(`give --source (stdin, file:PATH, http://HOST:PORT/PATH or tcp://HOST:PORT), or source: in --config`);
    source = sourceFromUri(s.source, s.format);
    c = new Consecutor(pipeline, consecutorOptions(s, options.outputs));
  } catch (e) {
    if (!(e instanceof InvalidArgumentError) && !isConsecutionError(e, 'OPTIONS_INVALID') && !isConsecutionError(e, 'CONFIG_INVALID')) throw e;
    process.stderr.write(`${name}: ${messageOf(e)}\n(${name} --help lists the flags)\n`);
    return 2;
  }
  const { metricsPort, view } = program.opts<{ metricsPort?: number; view: boolean }>();
  return runToExit(c as Consecutor<unknown, unknown>, source, { name, view, ...(metricsPort === undefined ? {} : { metricsPort }) });
}

function flags(name: string, options: ExposeCliOptions): Command {
  const program = new Command(name)
    .exitOverride()
    .allowExcessArguments(false)
    .showHelpAfterError(`(${name} --help lists the flags)`)
    .version(options.version ?? 'unknown')
    .addOption(new Option('--source <uri>', 'where items come from: stdin, file:PATH, http://HOST:PORT/PATH, tcp://HOST:PORT (ZeroMQ pull)'))
    .addOption(new Option('--format <format>', 'json or ndjson (a JSON value per line, message or body), text or lines (strings)').choices(URI_FORMATS))
    .addOption(new Option('--guarantee <level>', 'none, confirm, track or replay').choices(GUARANTEES))
    .addOption(new Option('--retries <n>', 'attempts after a failure, under replay').argParser(integer(0)))
    .addOption(new Option('--max-pending <n>', 'items in flight at most').argParser(integer(1)))
    .addOption(new Option('--timeout-ms <ms>', 'an item not done within this fails').argParser(integer(1)))
    .addOption(new Option('--mode <mode>', 'where offloaded nodes run').choices(MODES))
    .addOption(new Option('--store <dir>', 'a durable store directory (LMDB journal)'))
    .addOption(new Option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics while it runs').argParser(port))
    .addOption(new Option('--no-view', 'no live view on the terminal (it is shown when stderr is one)'))
    .addOption(new Option('--config <file>', 'a YAML file of these settings (source, format, guarantee, retries, maxPending, timeoutMs, mode, store); flags win'));
  if (options.description !== undefined) program.description(options.description);
  return program;
}


/** The settings of a `--config` file, checked as a pipeline file is (every problem at file:line:col). */
function fromConfig(file: string): Settings {
  const doc = readConfig(file);
  const parsed = settings.safeParse(doc.value ?? {}, { reportInput: true });
  if (!parsed.success) failWith(file, issueProblems({ doc, value: doc.value, back: (p) => p }, [], settings, doc.value, parsed.error.issues));
  const s = parsed.data;
  // Paths in the file resolve against its directory, as in pipeline files.
  const source = s.source?.startsWith('file:') === true && !s.source.startsWith('file://') ? `file:${resolve(doc.dir, s.source.slice(5))}` : s.source;
  return { ...s, ...(source === undefined ? {} : { source }), ...(s.store === undefined ? {} : { store: resolve(doc.dir, s.store) }) };
}

function definedOnly(given: Settings & { config?: string }): Settings {
  const { config: _config, metricsPort: _port, view: _view, ...rest } = given as Settings & { config?: string; metricsPort?: number; view?: boolean };
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

function consecutorOptions(s: Settings, outputs: ConsecutorOptions['outputs']): ConsecutorOptions {
  return {
    ...(s.guarantee === undefined ? {} : { guarantee: s.guarantee }),
    ...(s.retries === undefined ? {} : { retries: s.retries }),
    ...(s.maxPending === undefined ? {} : { maxPending: s.maxPending }),
    ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
    ...(s.mode === undefined ? {} : { mode: s.mode }),
    ...(s.store === undefined ? {} : { store: { path: s.store } }),
    ...(outputs === undefined ? {} : { outputs }),
  };
}


