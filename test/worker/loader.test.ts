import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTypeScript, typeScriptLoader, workerModule } from '../../src/worker/loader.js';
import { build, root } from '../package/build.js';

describe('the TypeScript loader of workers', () => {
  it('is not needed for JavaScript modules', () => {
    expect(isTypeScript('file:///app/score.js?v=2')).toBe(false);
    expect(isTypeScript('/app/score.mts')).toBe(true);
    expect(typeScriptLoader(['file:///app/entry.js', '/app/score.mjs'], 'score', [])).toBeUndefined();
  });

  it('is tsx, found from the module\'s place: ESM hooks a thread registers and a child imports', () => {
    const loader = typeScriptLoader([new URL('./fixtures/double.ts', import.meta.url).href], 'double', [])!;
    expect(existsSync(fileURLToPath(loader.api))).toBe(true);
    expect(existsSync(fileURLToPath(loader.hooks))).toBe(true);
    // The ESM builds: the CommonJS api fails in a worker.
    expect(loader.api).toMatch(/\.mjs$/);
  });

  it('is a clear error naming the module and what to do where there is no tsx', () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-loader-'));
    const module = pathToFileURL(join(dir, 'score.ts')).href;
    expect(() => typeScriptLoader([module], 'score', [pathToFileURL(`${dir}/`).href])).toThrow(
      expect.objectContaining({
        code: 'OPTIONS_INVALID',
        node: 'score',
        message: expect.stringMatching(/score\.ts is TypeScript, and a worker needs tsx to load it.*install it \(npm i -D tsx\) or offload the compiled \.js module/),
      }),
    );
  });

  it('loads ./x.js that exists only as x.ts in every mode, for a program run under tsx on the built package', () => {
    // The built package's workers start from JavaScript: only the module's name can tell them that
    // they need tsx. (Here 'consecution' would be the TypeScript sources, by tsconfig's paths, whose
    // workers load tsx for their own entry anyway: the built package is imported by its path.)
    build();
    const script = `
      const { Consecutor, offload } = await import(${JSON.stringify(`${root}dist/src/index.js`)});
      const url = new URL(${JSON.stringify(new URL('./fixtures/ts-only.js', import.meta.url).href)});
      const results = {};
      for (const mode of ['sync', 'thread', 'process']) {
        const out = [];
        results[mode] = await new Consecutor(offload(url, { parallelism: 1 }), { mode, outputs: { default: out } })
          .run([1, 2, 3])
          .then((r) => ({ ok: r.ok, out: out.sort((a, b) => a - b) }), (e) => ({ error: e.message }));
      }
      console.log(JSON.stringify(results));
    `;
    const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    const expected = { ok: true, out: [10, 20, 30] };
    expect(JSON.parse(stdout)).toEqual({ sync: expected, thread: expected, process: expected });
  }, 90_000);

  it('takes the TypeScript sibling of a missing .js, .mjs or .cjs module, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'consecution-sibling-'));
    for (const f of ['a.ts', 'b.mts', 'c.cts', 'd.js', 'd.ts', 'e.tsx']) writeFileSync(join(dir, f), '');
    const at = (f: string) => pathToFileURL(join(dir, f)).href;
    expect(workerModule(at('a.js'))).toBe(at('a.ts'));
    expect(workerModule(`${at('a.js')}?v=2`)).toBe(`${at('a.ts')}?v=2`);
    expect(workerModule(join(dir, 'a.js'))).toBe(join(dir, 'a.ts'));
    expect(workerModule(at('b.mjs'))).toBe(at('b.mts'));
    expect(workerModule(at('c.cjs'))).toBe(at('c.cts'));
    expect(workerModule(at('e.js'))).toBe(at('e.tsx'));
    // A .js that exists is the module; so is one with no sibling (the error names what was given).
    expect(workerModule(at('d.js'))).toBe(at('d.js'));
    expect(workerModule(at('none.js'))).toBe(at('none.js'));
    expect(workerModule(at('b.js'))).toBe(at('b.js'));
    expect(workerModule('data:text/javascript,export default 1')).toBe('data:text/javascript,export default 1');
  });
});
