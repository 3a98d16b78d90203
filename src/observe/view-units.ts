// How the live view writes numbers: counts, rates, durations, sizes and bars, each short enough
// for a fixed column. Pure functions; a value that is not a finite number reads as 0.

const SCALES: readonly (readonly [number, string])[] = [
  [1e3, 'k'],
  [1e6, 'M'],
  [1e9, 'G'],
  [1e12, 'T'],
];

function finite(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** 0..1, whatever `f` is. */
function fraction(f: number): number {
  return Math.min(1, finite(f));
}

/** A count in at most `width` characters: exact when it fits, else scaled (`123k`, `4.56M`). */
export function count(n: number, width = Infinity): string {
  const exact = String(Math.round(finite(n)));
  if (exact.length <= width) return exact;
  for (const [div, suffix] of SCALES) {
    const v = finite(n) / div;
    if (v >= 999.5 && suffix !== 'T') continue;
    for (const digits of [2, 1, 0]) {
      const text = `${v.toFixed(digits)}${suffix}`;
      if (text.length <= width) return text;
    }
  }
  return exact;
}

/** Items per second: one decimal below 100 (`12.5`), then a count (`340`, `12.3k`). */
export function rate(perSecond: number, width = 6): string {
  const r = finite(perSecond);
  return r < 99.95 ? r.toFixed(1) : count(Math.round(r), width);
}

/** A duration in at most 6 characters: `450ms`, `4.2s`, `42s`, `12m05s`, `3h07m`, `2d04h`. */
export function duration(ms: number): string {
  const t = finite(ms);
  if (t < 1_000) return `${Math.round(t)}ms`;
  if (t < 10_000) return `${(Math.floor(t / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(t / 1_000);
  if (s < 60) return `${s}s`;
  const two = (n: number) => String(n).padStart(2, '0');
  if (s < 3_600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${two(Math.floor(s / 3_600) % 24)}h`;
}

/** A size in bytes: `512 B`, `1.5 KiB`, `12.0 MiB`, `3.2 GiB`. */
export function bytes(n: number): string {
  const b = Math.round(finite(n));
  if (b < 1024) return `${b} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = b / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A bar of `cells` characters, `█` for the share `f` (0..1) of them, `░` for the rest. */
export function bar(f: number, cells: number): string {
  const filled = Math.round(fraction(f) * cells);
  return '█'.repeat(filled) + '░'.repeat(cells - filled);
}

/** A share 0..1 as a whole percentage: `0%`, `42%`, `100%`. */
export function percent(f: number): string {
  return `${Math.round(fraction(f) * 100)}%`;
}
