import { InvalidArgumentError } from 'commander';

/**
 * A commander argument parser for an integer flag of at least `min`: a bad value is refused with
 * commander's message, which names the flag and the value.
 *
 * @example
 * ```ts
 * import { Option } from 'commander';
 * import { integer } from './flags.js';
 *
 * new Option('--max-pending <n>').argParser(integer(1));
 * ```
 */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}.`);
    return n;
  };
}

/**
 * A commander argument parser for a port: 0 to 65535 (0: any free one).
 *
 * @example
 * ```ts
 * import { Option } from 'commander';
 * import { port } from './flags.js';
 *
 * new Option('--metrics-port <port>').argParser(port);
 * ```
 */
export function port(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError('expected a port, 0 to 65535.');
  return n;
}
