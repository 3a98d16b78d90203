/**
 * A glob as a test of a path relative to the watched directory ('/' between its parts): `*` is
 * any run of characters but '/', `**` any run of whole directories, `?` one character but '/',
 * `[abc]` / `[!abc]` one of (or none of) those characters, `{csv,tsv}` one of the alternatives.
 * A pattern without '/' is matched against the file's name only, so `*.csv` finds the CSV files
 * at any depth. As in a shell, `*` and `?` do not match a leading '.' (hidden and temporary files
 * such as writeFile's `.name.tmp` are left out unless the pattern starts with '.'). A RegExp is
 * tested against the relative path as it is.
 *
 * @example
 * ```ts
 * const csv = pathMatcher('*.{csv,tsv}');
 * csv('2024/jan.csv'); // true
 * csv('.jan.csv.tmp'); // false
 * pathMatcher('in/**\/*.json')('in/a/b/c.json'); // true
 * ```
 */
export function pathMatcher(pattern: string | RegExp): (relative: string) => boolean {
  if (pattern instanceof RegExp) return (relative) => pattern.test(relative);
  const re = new RegExp(`^${globSource(pattern)}$`);
  if (pattern.includes('/')) return (relative) => re.test(relative);
  return (relative) => re.test(relative.slice(relative.lastIndexOf('/') + 1));
}

function globSource(glob: string): string {
  let out = '';
  let alternatives = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const segmentStart = i === 0 || glob[i - 1] === '/';
    if (segmentStart && c !== '.') out += '(?!\\.)';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        out += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const body = glob.slice(i + 1, end);
        out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === '{') {
      alternatives++;
      out += '(?:';
    } else if (c === '}' && alternatives > 0) {
      alternatives--;
      out += ')';
    } else if (c === ',' && alternatives > 0) out += '|';
    else out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return out + ')'.repeat(alternatives);
}
