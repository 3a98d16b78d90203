// Finds the TypeScript code examples of the README and of TSDoc comments, so that they can be
// compiled: an example that no longer compiles is a lie told to the reader.

/** One ```ts block: where it is (file, 1-based line of its first code line) and its code. */
export interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  /** Declarations the reader does not need to see (README: an HTML comment before the block). */
  readonly prelude: string;
}

const FENCE_OPEN = /^```(ts|typescript)\s*$/;
const FENCE_CLOSE = /^```\s*$/;
const PRELUDE = /^<!--\s*example-prelude:([\s\S]*?)-->\s*$/;

/**
 * The ```ts blocks of a Markdown text. A block right after a line
 * `<!-- example-prelude: declare const lines: string[]; -->` gets that code before it, unseen
 * by the reader (values the example takes as given). A block opened with ```ts no-check is
 * shown but not compiled (a sketch of a file layout, say): use it sparingly.
 */
export function markdownExamples(file: string, text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  // A prelude comment applies to the block right after it (blank lines between are allowed).
  let prelude = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const p = PRELUDE.exec(line);
    if (p !== null) {
      prelude = p[1]!.trim();
      continue;
    }
    if (line.trim() === '') continue;
    if (FENCE_OPEN.test(line)) {
      const start = i + 1;
      let j = start;
      while (j < lines.length && !FENCE_CLOSE.test(lines[j]!)) j++;
      out.push({ file, line: start + 1, code: lines.slice(start, j).join('\n'), prelude });
      i = j;
    } else if (line.startsWith('```')) {
      // Another language (or ts no-check): skip to its end.
      let j = i + 1;
      while (j < lines.length && !FENCE_CLOSE.test(lines[j]!)) j++;
      i = j;
    }
    prelude = '';
  }
  return out;
}

/** The ```ts blocks inside the `/** ... *\/` comments of a TypeScript source text. */
export function tsdocExamples(file: string, text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (!inComment) {
      if (/^\s*\/\*\*/.test(raw)) inComment = !raw.includes('*/');
      continue;
    }
    if (raw.includes('*/')) {
      inComment = false;
      continue;
    }
    if (!FENCE_OPEN.test(commentText(raw))) continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !FENCE_CLOSE.test(commentText(lines[j]!)) && !lines[j]!.includes('*/')) j++;
    out.push({ file, line: start + 1, code: lines.slice(start, j).map(commentText).join('\n'), prelude: '' });
    i = j;
  }
  return out;
}

/** A comment line without its leading `   * `. */
function commentText(line: string): string {
  return line.replace(/^\s*\* ?/, '');
}
