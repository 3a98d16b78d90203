#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { isConsecutionError } from '../errors.js';
import { EXIT_USAGE, pipelineCommands } from './pipeline-commands.js';
import { formatInspection, formatMigration, formatRedrive, inspect, migrate, redrive } from './store-commands.js';

/** The package's version: its package.json is two levels up from src/cli, three from dist/src/cli. */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    const url = new URL(up, import.meta.url);
    if (existsSync(url)) {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'consecution' && pkg.version !== undefined) return pkg.version;
    }
  }
  return 'unknown';
}

const program = new Command()
  .name('consecution')
  .version(version())
  .description('Run pipelines from YAML files; inspect and repair their durable stores.')
  .showHelpAfterError()
  // A bad command line exits 2, as a bad pipeline file does; --help and --version exit 0.
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE));

pipelineCommands(program);

program
  .command('inspect')
  .description('show what a store holds: pending items, dead letters, failure records, position')
  .argument('<dir>', 'the store directory (the path given as store: { path })')
  .option('--json', 'print JSON for scripts')
  .action(async (dir: string, options: { json?: boolean }) => {
    const i = await inspect(dir);
    console.log(options.json === true ? JSON.stringify(i) : formatInspection(i));
  });

program
  .command('redrive')
  .description('move dead letters back to pending: the next run replays them first')
  .argument('<dir>', 'the store directory')
  .option('--include-bad-input', "also move bad input (raw input that failed its source's parsing): the next run parses it again")
  .option('--json', 'print JSON for scripts')
  .action(async (dir: string, options: { json?: boolean; includeBadInput?: boolean }) => {
    const r = await redrive(dir, { includeBadInput: options.includeBadInput === true });
    console.log(options.json === true ? JSON.stringify({ path: dir, ...r }) : formatRedrive(dir, r));
  });

program
  .command('migrate')
  .description('convert a store written in an older layout (1: key prefixes) to the current one, in place')
  .argument('<dir>', 'the store directory')
  .option('--json', 'print JSON for scripts')
  .action(async (dir: string, options: { json?: boolean }) => {
    const m = await migrate(dir);
    console.log(options.json === true ? JSON.stringify({ path: dir, ...m }) : formatMigration(dir, m));
  });

try {
  await program.parseAsync();
} catch (e) {
  console.error(`consecution: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = isConsecutionError(e, 'STORE_LOCKED') ? 3 : isConsecutionError(e, 'CONFIG_INVALID') || isConsecutionError(e, 'OPTIONS_INVALID') ? EXIT_USAGE : 1;
}
