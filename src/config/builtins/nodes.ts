import { z } from 'zod';
import { check } from '../../../operators/check.js';
import { chunk } from '../../../operators/chunk.js';
import { filter } from '../../../operators/filter.js';
import { flatMap } from '../../../operators/flatMap.js';
import { map } from '../../../operators/map.js';
import { ordered } from '../../../operators/ordered.js';
import { print } from '../../../operators/print.js';
import { readFile } from '../../../operators/readFile.js';
import { writeFile } from '../../../operators/writeFile.js';
import { optionsOf } from '../options-of.js';
import { builtin, take, text, type Builtin } from './builtin.js';

const fn = (what: string) => text(`a module exporting ${what}: ./file.js (its default export) or ./file.js#name`);

/** The nodes and operators a pipeline file's nodes can `use`. */
export const nodes: Readonly<Record<string, Builtin<'node' | 'route'>>> = {
  route: builtin({
    kind: 'route',
    summary: "sends each item to the one child whose name by(item) returns (or the child named 'default')",
    params: z.strictObject({ by: fn('the function naming the child') }),
    build: async (p, ctx) => (await ctx.load('by', p.by as string)) as (x: unknown) => string,
  }),
  readFile: builtin({
    kind: 'node',
    summary: 'reads the file an item names ({ path }) and passes { path, content } on',
    params: optionsOf('readFile'),
    build: (p, ctx) => readFile({ ...p, name: ctx.name }),
  }),
  writeFile: builtin({
    kind: 'node',
    summary: 'writes { path, content } into a directory (temporary name, fsync, rename) and passes the new path on',
    params: optionsOf('writeFile').extend({ dir: text('the directory to write into') }),
    paths: ['dir'],
    build: (p, ctx) => {
      const [{ dir }, options] = take(p, 'dir');
      return writeFile(dir, { ...options, name: ctx.name });
    },
  }),
  print: builtin({
    kind: 'node',
    summary: 'prints a line per item to standard output and passes it on',
    params: optionsOf('print'),
    build: (p, ctx) => print({ ...p, name: ctx.name }),
  }),
  map: builtin({
    kind: 'node',
    summary: 'replaces each item by fn(item)',
    params: z.strictObject({ fn: fn('the function') }),
    build: async (p, ctx) => map(ctx.name, (await ctx.load('fn', p.fn as string)) as (x: unknown) => unknown),
  }),
  filter: builtin({
    kind: 'node',
    summary: 'keeps the items where(item) is true for (the others are acked)',
    params: z.strictObject({ where: fn('the predicate') }),
    build: async (p, ctx) => filter(ctx.name, (await ctx.load('where', p.where as string)) as (x: unknown) => boolean),
  }),
  flatMap: builtin({
    kind: 'node',
    summary: 'replaces each item by the items of fn(item) (an iterable)',
    params: z.strictObject({ fn: fn('the function') }),
    build: async (p, ctx) => flatMap(ctx.name, (await ctx.load('fn', p.fn as string)) as (x: unknown) => Iterable<unknown>),
  }),
  check: builtin({
    kind: 'node',
    summary: 'fails each item for which where(item) is false (CHECK_FAILED), passes the others on',
    params: z.strictObject({ where: fn('the condition'), message: text('what a failed check says, in its failure record') }),
    build: async (p, ctx) => check((await ctx.load('where', p.where as string)) as (x: unknown) => boolean, p.message as string, { name: ctx.name }),
  }),
  chunk: builtin({
    kind: 'node',
    summary: 'groups items in arrays of size (the last one may be shorter)',
    params: z.strictObject({ size: z.int().min(1).describe('items per chunk') }),
    build: (p, ctx) => chunk(ctx.name, p.size as number),
  }),
  ordered: builtin({
    kind: 'node',
    summary: 'puts items back in input order after a parallel stage',
    params: z.strictObject({}),
    build: (_p, ctx) => ordered({ name: ctx.name }),
  }),
};
