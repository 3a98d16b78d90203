import { describe, expect, it } from 'vitest';
import { isConsecutionError } from 'consecution';
import { compile, parseConfig, pipelineJsonSchema } from '../../src/config/index.js';
import { optionsOf } from '../../src/config/options-of.js';
import { optionSchemas } from '../../src/schema/index.js';
import { cases } from './cases.js';

/** The message a pipeline file (as text) fails with. */
async function failure(yaml: string): Promise<string> {
  try {
    await compile(parseConfig(yaml, 'p.yaml'));
  } catch (e) {
    if (isConsecutionError(e, 'CONFIG_INVALID')) return e.message;
    throw e;
  }
  throw new Error('expected the file to be refused');
}

describe('optionSchemas: one zod schema per options object', () => {
  it('has one per built-in with options, and the Consecutor', () => {
    expect(Object.keys(optionSchemas).sort()).toEqual(Object.keys(cases).sort());
    expect(optionsOf('toFile')).toBe(optionSchemas.toFile);
    expect(() => optionsOf('fromKafka')).toThrow(/no options schema named "fromKafka"/);
  });

  describe.each(Object.entries(cases))('%s', (name, c) => {
    const schema = optionSchemas[name]!;

    it('takes the options (defaults among them) that the function itself takes', () => {
      for (const options of c.accepts) {
        expect(() => c.build(options), JSON.stringify(options)).not.toThrow();
        expect(schema.safeParse(options).error?.issues, JSON.stringify(options)).toBeUndefined();
      }
    });

    if (c.refuses.length > 0) {
      it('refuses what the function refuses', () => {
        for (const options of c.refuses) {
          expect(() => c.build(options), JSON.stringify(options)).toThrow();
          expect(schema.safeParse(options).success, JSON.stringify(options)).toBe(false);
        }
      });
    }

    it('refuses a misspelt key as unrecognized_keys, as the function does', () => {
      const { base, key, meant } = c.misspelt;
      const options = { ...base, [key]: 1 };
      expect(schema.safeParse(options).error?.issues).toEqual([expect.objectContaining({ code: 'unrecognized_keys', keys: [key], path: [] })]);
      expect(() => c.build(options)).toThrow(`did you mean ${meant}?`);
    });

    it('knows the keys the function knows (but those only code can give)', () => {
      let message = '';
      try {
        c.build({ ...c.misspelt.base, [c.misspelt.key]: 1 });
      } catch (e) {
        message = (e as Error).message;
      }
      const known = /known options: ([^;]+)/.exec(message)?.[1]?.split(', ');
      expect(known?.filter((k) => !(c.codeOnly ?? []).includes(k)).sort()).toEqual(Object.keys(schema.shape).sort());
    });

    it('describes each key, a default after " @default "', () => {
      for (const [key, s] of Object.entries(schema.shape)) expect(s.description, key).toMatch(/^(?:(?!@default).)+( @default .+)?$/);
    });
  });
});

describe('a misspelt option in a pipeline file', () => {
  it('is reported at its line:col with "did you mean", every one at once', async () => {
    const m = await failure(
      [
        'maxPendng: 10',
        'source: { use: fromFile, path: in.ndjson, fromat: ndjson }',
        'nodes:',
        '  - { name: read, use: readFile, concurency: 2 }',
        '  - name: rows',
        '    use: toPostgres',
        '    connection: postgres://localhost/db',
        '    table: events',
        '    batchsize: 10',
        '  - { name: out, use: toFile, path: out.ndjson, rotate: { byts: 10 } }',
        'deadLetter: { use: toFile, path: dead.ndjson, fsinc: false }',
      ].join('\n'),
    );
    expect(m).toBe(
      [
        'p.yaml: 6 problems:',
        'p.yaml:1:1: maxPendng: unknown key (did you mean maxPending?); known keys: guarantee, retries, timeoutMs, drainMs, maxPending, keepFailures, checks, metrics, mode, store, name, source, nodes, deadLetter',
        'p.yaml:2:43: source.fromat: unknown key (did you mean format?); known keys: format, maxLineBytes, name, path',
        'p.yaml:4:34: nodes[0].concurency (node read): unknown key (did you mean concurrency?); known keys: as, name, concurrency',
        'p.yaml:9:5: nodes[1].batchsize (node rows): unknown key (did you mean batchSize?); known keys: connection, table, columns, keyColumn, batchSize',
        'p.yaml:10:59: nodes[2].rotate.byts (node out): unknown key (did you mean bytes?); known keys: bytes, items',
        'p.yaml:11:47: deadLetter.fsinc: unknown key (did you mean fsync?); known keys: format, fsync, rotate, path',
      ].join('\n'),
    );
  });

  it('a value out of the function\'s range is reported at its place', async () => {
    const m = await failure('source: { use: fromHttp, port: 70000, respond: complete }\nnodes:\n  - { name: a, use: print }\n');
    expect(m).toBe(
      [
        'p.yaml: 2 problems:',
        'p.yaml:1:32: source.port: Too big: expected number to be <=65535, got number 70000',
        'p.yaml:1:48: source.respond: expected one of "admitted", "completed", got string "complete" (did you mean completed?)',
      ].join('\n'),
    );
  });
});

describe('consecution schema (JSON Schema for editors)', () => {
  it('gives each built-in its keys, refusing others', () => {
    const schema = pipelineJsonSchema() as { properties: { nodes: { items: { anyOf: Record<string, any>[] } } } };
    const toHttp = schema.properties.nodes.items.anyOf.find((s) => s.properties?.use?.const === 'toHttp');
    expect(toHttp?.additionalProperties).toBe(false);
    expect(Object.keys(toHttp?.properties ?? {})).toEqual(expect.arrayContaining(['url', 'retries', 'maxInFlight', 'headers']));
    expect(toHttp?.properties.retries.description).toBe('tries after the first one, for 429, 5xx, network errors and timeouts @default 5');
  });

  it('has toKafka, its brokers a list or one comma-separated string', () => {
    const schema = pipelineJsonSchema() as { properties: { nodes: { items: { anyOf: Record<string, any>[] } } } };
    const toKafka = schema.properties.nodes.items.anyOf.find((s) => s.properties?.use?.const === 'toKafka');
    expect(toKafka?.additionalProperties).toBe(false);
    expect(toKafka?.required).toEqual(expect.arrayContaining(['brokers', 'topic', 'use']));
    expect(Object.keys(toKafka?.properties ?? {})).toEqual(expect.arrayContaining(['brokers', 'topic', 'clientId', 'connectionTimeoutMs', 'retries']));
    expect(toKafka?.properties.brokers.anyOf).toEqual([{ type: 'string' }, { type: 'array', items: { type: 'string' } }]);
  });
});
