import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileExamples, readProjectFile } from './compile.js';
import { markdownExamples, tsdocExamples, type Example } from './extract.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The project's TypeScript sources that carry TSDoc examples (tests excluded). */
function sourceFiles(): string[] {
  const files: string[] = [];
  for (const top of ['src', 'operators']) {
    for (const f of readdirSync(`${root}${top}`, { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts') && !f.endsWith('.test.ts')) files.push(`${top}/${f}`);
    }
  }
  return files.sort();
}

function allExamples(): Example[] {
  const md = ['README.md', 'docs/ARCHITECTURE.md'].flatMap((f) => {
    try {
      return markdownExamples(f, readProjectFile(root, f));
    } catch {
      return [];
    }
  });
  return [...md, ...sourceFiles().flatMap((f) => tsdocExamples(f, readProjectFile(root, f)))];
}

describe('code examples', () => {
  it('finds the README and TSDoc examples', () => {
    const examples = allExamples();
    expect(examples.filter((e) => e.file === 'README.md').length).toBeGreaterThan(3);
    expect(examples.filter((e) => e.file.endsWith('.ts')).length).toBeGreaterThan(50);
  });

  it('compile, every one of them', { timeout: 120_000 }, () => {
    const errors = compileExamples(root, allExamples());
    expect(errors.map((e) => `${e.where}: ${e.message}`)).toEqual([]);
  });
});

describe('extracting examples', () => {
  it('reads ```ts blocks of Markdown with their line and hidden prelude', () => {
    const text = ['# t', '<!-- example-prelude: declare const lines: string[]; -->', '```ts', 'lines.length;', '```', '```sh', 'npm test', '```'].join('\n');
    expect(markdownExamples('R.md', text)).toEqual([{ file: 'R.md', line: 4, code: 'lines.length;', prelude: 'declare const lines: string[];' }]);
  });

  it('reads ```ts blocks of TSDoc comments without their stars', () => {
    const text = ['/**', ' * Doubles.', ' *', ' * ```ts', ' * const y = double(2);', ' * ```', ' */', 'export const double = (x: number) => x * 2;'].join('\n');
    expect(tsdocExamples('d.ts', text)).toEqual([{ file: 'd.ts', line: 5, code: 'const y = double(2);', prelude: '' }]);
  });

  it('reports a broken example with its file and line', () => {
    const errors = compileExamples(root, [{ file: 'README.md', line: 10, code: "const n: number = 'not a number';", prelude: '' }]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.where).toBe('README.md:10');
    expect(errors[0]!.message).toContain("not assignable to type 'number'");
  });
});
