import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { build, root } from './build.js';

describe('the built package', () => {
  it('imports and runs in plain Node (no tsx), as a user gets it', () => {
    build();
    const script = `
      const { Consecutor, map, output, defineNode } = await import(${JSON.stringify(`${root}dist/src/index.js`)});
      const out = [];
      const r = await new Consecutor(map((x) => x * 2), { outputs: { default: out } }).run([1, 2]);
      console.log(JSON.stringify({ out, ok: r.ok, define: typeof defineNode }));
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({ out: [2, 4], ok: true, define: 'function' });
  });

  it('offloads a JavaScript worker module that imports consecution/node, in thread and process mode, without tsx', () => {
    build();
    const script = `
      const { Consecutor, offload, output } = await import(${JSON.stringify(`${root}dist/src/index.js`)});
      const url = new URL(${JSON.stringify(new URL('./fixtures/double.mjs', import.meta.url).href)});
      const results = {};
      for (const mode of ['thread', 'process']) {
        const out = [];
        const r = await new Consecutor(offload(url, { parallelism: 2, batch: 4 }), { mode, outputs: { default: out } }).run([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        results[mode] = { ok: r.ok, out: out.sort((a, b) => a - b) };
      }
      console.log(JSON.stringify(results));
    `;
    // Workers inherit the parent's options: code given with -e, and a V8 option, must not stop them.
    const stdout = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
    const expected = { ok: true, out: [2, 4, 6, 8, 10, 12, 14, 16, 18] };
    expect(JSON.parse(stdout)).toEqual({ thread: expected, process: expected });
  });
});
