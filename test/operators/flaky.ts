// Nodes the operator tests share to make replays happen on purpose.
import { node, type Node } from 'consecution';

/** Fails the first try of each item that `when` picks (every item by default); passes it on after. */
export function failFirstTry(name: string, when: (x: number) => boolean = () => true): Node<number, number> {
  const tries = new Map<number, number>();
  return node(name, {
    process(x: number) {
      const n = (tries.get(x) ?? 0) + 1;
      tries.set(x, n);
      if (n === 1 && when(x)) throw new Error('first try fails');
      return x;
    },
  });
}

/** Passes each item on after `ms`, up to `concurrency` at once: a slow branch. */
export function delayed(name: string, ms: number, concurrency: number): Node<number, number> {
  return node(name, {
    concurrency,
    async process(x: number) {
      await new Promise((r) => setTimeout(r, ms));
      return x;
    },
  });
}
