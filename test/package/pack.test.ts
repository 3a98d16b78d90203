import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { build, root } from './build.js';

interface Packed {
  readonly files: readonly { readonly path: string }[];
}

/**
 * The files `npm pack` would put in the tarball. Scripts are skipped: `prepare` would rebuild
 * dist/ under the feet of the other package tests; build() has made it already.
 */
function packed(): Set<string> {
  build();
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  const [pack] = JSON.parse(json) as Packed[];
  return new Set(pack!.files.map((f) => f.path));
}

describe('the packed tarball', () => {
  const files = packed();

  it('carries the license that package.json names', () => {
    expect(files).toContain('LICENSE');
    expect(readFileSync(`${root}LICENSE`, 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the consecution authors\n/);
  });

  it('ships every source a source map names, so that a stack trace or "go to definition" lands in a file', () => {
    const maps = [...files].filter((f) => f.endsWith('.map'));
    const missing: string[] = [];
    for (const map of maps) {
      const { sources, sourceRoot } = JSON.parse(readFileSync(`${root}${map}`, 'utf8')) as { sources: string[]; sourceRoot?: string };
      for (const source of sources) {
        const path = posix.join(posix.dirname(map), sourceRoot ?? '', source);
        if (!files.has(path)) missing.push(`${map} names ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('ships no tests', () => {
    expect([...files].filter((f) => /(^|\/)test\/|\.test\.[cm]?[jt]s$/.test(f))).toEqual([]);
  });
});
