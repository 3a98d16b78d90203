// One variant of W1, W2 or W3 in a process of its own, for the harness's isolated mode
// (isolated.ts): it builds the scenario's input itself and, for each `run` message, collects the
// garbage, runs the variant once and answers with the result and the time the run took.
//
//   node --expose-gc dist-bench/variant-child.js w1 'consecution confirm'
import { timeOnce } from './harness.js';
import { countedVariant } from './instructions-variants.js';
import type { ChildAnswer } from './isolated.js';

async function main(): Promise<void> {
  const [id = '', name = ''] = process.argv.slice(2);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const { scenario, variant } = countedVariant(id, name);
  const input = scenario.input();
  const answer = (a: ChildAnswer) => process.send!(a);
  // A parent that died (or was interrupted) leaves no child behind.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: unknown) => {
    if (message === 'exit') process.exit(0);
    void (async () => {
      try {
        answer(await timeOnce(variant, input, gc));
      } catch (e) {
        answer({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
    })();
  });
  answer({ ready: true });
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
