#!/usr/bin/env node
import { Command } from 'commander';
import { isConsecutionError } from '../errors.js';
import { formatInspection, inspect, redrive } from './store-commands.js';

const program = new Command()
  .name('consecution')
  .description('Inspect and repair the durable stores of consecution pipelines.')
  .showHelpAfterError();

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
  .option('--json', 'print JSON for scripts')
  .action(async (dir: string, options: { json?: boolean }) => {
    const moved = await redrive(dir);
    console.log(options.json === true ? JSON.stringify({ path: dir, redriven: moved }) : `${moved} dead letter(s) of ${dir} moved back to pending`);
  });

try {
  await program.parseAsync();
} catch (e) {
  console.error(`consecution: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = isConsecutionError(e) && e.code === 'STORE_LOCKED' ? 3 : 1;
}
