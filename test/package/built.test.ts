import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;

describe('the built package', () => {
  it('imports and runs in plain Node (no tsx), as a user gets it', () => {
    // `npm install` builds dist/ (the prepare script); build it here if a developer has not.
    if (!existsSync(`${root}dist/src/index.js`)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const script = `
      const { Consecutor, map, output, defineNode } = await import(${JSON.stringify(`${root}dist/src/index.js`)});
      const out = [];
      const r = await new Consecutor(map((x) => x * 2), { outputs: { default: out } }).run([1, 2]);
      console.log(JSON.stringify({ out, ok: r.ok, define: typeof defineNode }));
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({ out: [2, 4], ok: true, define: 'function' });
  });
});
