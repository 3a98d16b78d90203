// Text measured in terminal cells, not in UTF-16 units: what the live view needs to fit a line to
// the width of a terminal without wrapping. East Asian wide characters and most emoji take two
// cells, combining marks none; control characters are replaced, so that an item's preview cannot
// move the cursor or change colours.

/** Code point ranges that a terminal draws two cells wide (East Asian Wide and Fullwidth, emoji). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

/** Code point ranges that take no cell: combining marks, zero-width spaces and joiners, variation selectors. */
const ZERO: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x200b, 0x200f],
  [0xfe00, 0xfe0f],
];

function within(ranges: readonly (readonly [number, number])[], cp: number): boolean {
  for (const [lo, hi] of ranges) if (cp >= lo && cp <= hi) return true;
  return false;
}
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu;

/** The cells one code point takes. */
function cellsOf(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (within(ZERO, cp)) return 0;
  return within(WIDE, cp) ? 2 : 1;
}

/** `text` with each control character (newline, escape, ...) shown as `·`. */
export function printable(text: string): string {
  return text.replace(CONTROL, '·');
}

/** How many cells `text` takes on a terminal. */
export function cellWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += cellsOf(ch);
  return n;
}

/** `text` cut to at most `width` cells, ending in `…` when something was cut. */
export function cut(text: string, width: number): string {
  if (width <= 0) return '';
  if (cellWidth(text) <= width) return text;
  let out = '';
  let n = 0;
  for (const ch of text) {
    const w = cellsOf(ch);
    if (n + w > width - 1) break;
    out += ch;
    n += w;
  }
  return `${out}…`;
}

/** `text` cut to `width` cells and padded with spaces on the right to exactly `width`. */
export function padEnd(text: string, width: number): string {
  const t = cut(text, width);
  return t + ' '.repeat(Math.max(0, width - cellWidth(t)));
}

/** `text` cut to `width` cells and padded with spaces on the left to exactly `width`. */
export function padStart(text: string, width: number): string {
  const t = cut(text, width);
  return ' '.repeat(Math.max(0, width - cellWidth(t))) + t;
}
