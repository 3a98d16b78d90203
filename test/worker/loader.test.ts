import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTypeScript, typeScriptLoader } from '../../src/worker/loader.js';

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
});
