import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import type { Example } from './extract.js';

/** What was wrong with one example: its place in the file it came from, and the compiler's words. */
export interface ExampleError {
  readonly where: string;
  readonly message: string;
}

const PUBLIC_ENTRIES = ['consecution', 'consecution/testing'] as const;
const RXJS_NAMES = ['pipe', 'Observable', 'of', 'from', 'firstValueFrom', 'lastValueFrom', 'Subject', 'EMPTY', 'NEVER'];

/**
 * Type-checks every example as a module of its own, with the project's compiler options. An
 * example without import lines gets the package's public names (and, for a TSDoc example, the
 * exports of the file it documents) imported for it, as a reader would assume; one with import
 * lines must import what it uses, as a program copied from the README would.
 */
export function compileExamples(root: string, examples: readonly Example[]): ExampleError[] {
  const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (config === undefined) throw new Error('tsconfig.json could not be read');
  const options: ts.CompilerOptions = { ...config.options, noEmit: true, declaration: false, sourceMap: false };
  const sources = [...new Set(examples.map((e) => e.file).filter((f) => f.endsWith('.ts')))].map((f) => join(root, f));
  const entries = [join(root, 'src/index.ts'), join(root, 'src/testing/index.ts')];
  const base = ts.createProgram([...entries, ...sources], options);
  const checker = base.getTypeChecker();
  const exportsOf = (file: string): string[] => {
    const sf = base.getSourceFile(file);
    const sym = sf === undefined ? undefined : checker.getSymbolAtLocation(sf);
    if (sym === undefined) return [];
    return checker.getExportsOfModule(sym).map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      // verbatimModuleSyntax: a name that is only a type is imported with `type`.
      return target.flags & ts.SymbolFlags.Value ? s.name : `type ${s.name}`;
    });
  };
  const publicNames = entries.map(exportsOf);
  const everyPublic = new Set(publicNames.flat().map(bare));

  const dir = join(root, '.examples');
  const virtual = new Map<string, { text: string; example: Example; offset: number }>();
  examples.forEach((example, i) => {
    // A TSDoc example sits beside the file it documents, so that it imports that file's
    // neighbours ('../envelope/envelope.js') as the file itself does.
    const tsdoc = example.file.endsWith('.ts');
    // A Markdown block that starts with `// score.ts: ...` is that file, beside the other named
    // blocks of its document: another block may import it as './score.js'.
    const named = tsdoc ? undefined : /^\/\/ ([\w.-]+\.ts)\b/.exec(example.code)?.[1];
    const docDir = tsdoc ? join(root, dirname(example.file)) : join(dir, example.file.replace(/[^\w]/g, '_'));
    const path = join(docDir, named ?? (tsdoc ? `__example${i}.ts` : `${i}.ts`));
    const header = example.code.includes('import ') ? [] : autoImports(example, root, docDir, publicNames, everyPublic, exportsOf);
    const head = [...header, example.prelude].filter((l) => l !== '');
    virtual.set(path, { text: [...head, example.code, 'export {};'].join('\n'), example, offset: head.length });
  });
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError) => {
    const v = virtual.get(name);
    return v === undefined ? getSourceFile(name, lang, onError) : ts.createSourceFile(name, v.text, lang, true);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => name.startsWith(dir) || (directoryExists?.(name) ?? true);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => virtual.get(name)?.text ?? readFile(name);
  const program = ts.createProgram([...virtual.keys()], options, host, base);
  const errors: ExampleError[] = [];
  for (const [path, v] of virtual) {
    const sf = program.getSourceFile(path)!;
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const at = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line - v.offset;
      const where = `${v.example.file}:${v.example.line + Math.max(0, at)}`;
      errors.push({ where, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
    }
  }
  return errors;
}

/** Import lines for the names an example takes for granted, minus the ones it declares itself. */
function autoImports(
  example: Example,
  root: string,
  dir: string,
  publicNames: string[][],
  everyPublic: Set<string>,
  exportsOf: (file: string) => string[],
): string[] {
  const own = declaredNames(`${example.prelude}\n${example.code}`);
  const used = (n: string) => !own.has(bare(n)) && new RegExp(`(?<![\\w$])${bare(n).replace(/[$]/g, '\\$&')}(?![\\w$])`).test(`${example.prelude}\n${example.code}`);
  const lines: string[] = [];
  const importLine = (names: string[], from: string) => {
    const wanted = names.filter(used);
    if (wanted.length > 0) lines.push(`import { ${wanted.join(', ')} } from '${from}';`);
  };
  PUBLIC_ENTRIES.forEach((entry, i) => importLine(publicNames[i]!.filter((n) => i === 0 || !publicNames[0]!.includes(n)), entry));
  importLine(RXJS_NAMES.filter((n) => !everyPublic.has(n)), 'rxjs');
  if (example.file.endsWith('.ts')) {
    const file = join(root, example.file);
    let rel = relative(dir, file).replace(/\.ts$/, '.js');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    importLine(exportsOf(file).filter((n) => !everyPublic.has(bare(n)) && !RXJS_NAMES.includes(bare(n))), rel);
  }
  return lines;
}

/** A name without its `type ` marker. */
function bare(name: string): string {
  return name.startsWith('type ') ? name.slice(5) : name;
}

/** Names an example declares at its top level (so that they are not imported over). */
function declaredNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|var|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  for (const m of code.matchAll(/\b(?:const|let|var)\s*\{([^}]*)\}/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part.split(':').pop()!.split('=')[0]!.trim();
      if (name !== '') names.add(name);
    }
  }
  return names;
}

/** Reads a file of the project. */
export function readProjectFile(root: string, file: string): string {
  return readFileSync(join(root, file), 'utf8');
}

