import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The repository's root directory, with a trailing slash. */
export const root = new URL('../../', import.meta.url).pathname;

/** `npm install` builds dist/ (the prepare script); build it here if a developer has not. */
export function build(): void {
  if (!existsSync(`${root}dist/src/index.js`)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
}
