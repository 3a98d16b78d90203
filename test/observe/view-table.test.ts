import { describe, expect, it } from 'vitest';
import { busiestNode, viewLine } from '../../src/observe/view-line.js';
import { viewTable } from '../../src/observe/view-table.js';
import { cellWidth, cut, printable } from '../../src/observe/text-cells.js';
import { bar, bytes, count, duration, percent, rate } from '../../src/observe/view-units.js';
import { busyRun, metrics, nodeMetrics } from './metrics-fixture.js';

describe('viewTable: one frame of the live view', () => {
  it('on 80 columns: header, progress, one row per node; names and previews cut to fit', () => {
    expect(viewTable(busyRun, { width: 80, elapsedMs: 12_300 })).toEqual([
      'running 12s ingested 1200 completed 1150 pending 48 dead 0 98.0/s blocked 2.5s',
      'progress ████████████████████░░░░░░░░░░░░░░░░░░░░  50%  1200/2400 items',
      'node     kind      recv rate/s busy             infl queue  fail oldest item',
      'parse    map       1200   98.0 ░░░░░░░░░░   0%     0     0     0',
      'geocode  node      1180   97.5 ██████░░░░  62%     8    21     2   1.2s {"id":7…',
      'write-t… output    1150   95.1 ░░░░░░░░░░   0%     0     0     0',
    ]);
  });

  it('on 100 columns: the header spaced out, names up to 20 cells, the preview takes the rest', () => {
    const lines = viewTable(busyRun, { width: 100, elapsedMs: 12_300 });
    expect(lines).toEqual([
      'running 12s  ingested 1200  completed 1150  pending 48  dead 0  98.0/s  blocked 2.5s',
      'progress ████████████████████░░░░░░░░░░░░░░░░░░░░  50%  1200/2400 items',
      'node                 kind      recv rate/s busy             infl queue  fail oldest item',
      'parse                map       1200   98.0 ░░░░░░░░░░   0%     0     0     0',
      'geocode              node      1180   97.5 ██████░░░░  62%     8    21     2   1.2s {"id":7,"addres…',
      'write-to-postgres-o… output    1150   95.1 ░░░░░░░░░░   0%     0     0     0',
    ]);
    expect(Math.max(...lines.map(cellWidth))).toBe(100);
  });

  it('never goes past the width, however narrow, and never wraps', () => {
    for (const width of [1, 10, 40, 63, 64, 79, 81, 120, 200]) {
      const lines = viewTable(busyRun, { width, elapsedMs: 1 });
      for (const l of lines) {
        expect(cellWidth(l)).toBeLessThanOrEqual(width);
        expect(l).not.toMatch(/\n/);
      }
      expect(lines).toHaveLength(6);
    }
  });

  it('a busy bar has 10 cells, rounded to the nearest tenth, clamped to 0..1', () => {
    const row = (busy: number) => viewTable(metrics([nodeMetrics('n', 'node', { busy })]), { width: 80, elapsedMs: 0 })[2]!;
    expect(row(0)).toBe('n    node         0    0.0 ░░░░░░░░░░   0%     0     0     0');
    expect(row(0.04)).toContain(' ░░░░░░░░░░   4% ');
    expect(row(0.05)).toContain(' █░░░░░░░░░   5% ');
    expect(row(0.5)).toContain(' █████░░░░░  50% ');
    expect(row(1)).toContain(' ██████████ 100% ');
    expect(row(1.7)).toContain(' ██████████ 100% ');
    expect(row(NaN)).toContain(' ░░░░░░░░░░   0% ');
  });

  it('shows the oldest item in flight by its age and preview, escapes neutralised', () => {
    const m = metrics([
      nodeMetrics('fetch', 'node', {
        inFlight: 2,
        slowest: [
          { root: 1, ms: 754_000, preview: '"line one\nline two \u001b[31mred"' },
          { root: 2, ms: 10, preview: '2' },
        ],
      }),
    ]);
    expect(viewTable(m, { width: 90, elapsedMs: 0 })[2]).toBe('fetch node         0    0.0 ░░░░░░░░░░   0%     2     0     0 12m34s "line one·line two ·…');
  });

  it('cuts wide characters by the cells they take; a long name gives way to an 8-cell preview', () => {
    const m = metrics([nodeMetrics('注文を処理する段階', 'node', { slowest: [{ root: 1, ms: 5, preview: '"東京都千代田区丸の内一丁目"' }] })]);
    const lines = viewTable(m, { width: 82, elapsedMs: 0 });
    expect(lines[2]).toBe('注文を処…  node         0    0.0 ░░░░░░░░░░   0%     0     0     0    5ms "東京都…');
    for (const l of lines) expect(cellWidth(l)).toBeLessThanOrEqual(82);
  });

  it('fits the height: the nodes that do not fit are summed up in a last line', () => {
    const m = metrics(Array.from({ length: 12 }, (_, i) => nodeMetrics(`n${i}`, 'map')), {
      running: false,
      ingested: 3,
      progress: { done: 3 * 1024 * 1024, total: 12 * 1024 * 1024, unit: 'bytes' },
    });
    expect(viewTable(m, { width: 70, height: 8, elapsedMs: 754_000 })).toEqual([
      'ended 12m34s ingested 3 completed 0 pending 0 dead 0 0.0/s blocked 0ms',
      'progress ██████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░  25%  3.0 MiB/12.0 MiB',
      'node kind      recv rate/s busy             infl queue  fail oldest i…',
      'n0   map          0    0.0 ░░░░░░░░░░   0%     0     0     0',
      'n1   map          0    0.0 ░░░░░░░░░░   0%     0     0     0',
      'n2   map          0    0.0 ░░░░░░░░░░   0%     0     0     0',
      '… 9 more nodes',
    ]);
  });

  it('says waiting before anything ran, ended after', () => {
    expect(viewTable(metrics([], { running: false }), { width: 80, elapsedMs: 0 })[0]).toBe('waiting 0ms  ingested 0  completed 0  pending 0  dead 0  0.0/s  blocked 0ms');
    expect(viewTable(metrics([nodeMetrics('a', 'map')], { running: false }), { width: 80, elapsedMs: 0 })[0]).toMatch(/^ended 0ms/);
  });
});

describe('viewLine: the live view where the stream is not a terminal', () => {
  it('gives the totals, the progress and the busiest node on one plain line', () => {
    expect(viewLine(busyRun, 12_300)).toBe(
      'running 12s: ingested 1200, completed 1150, pending 48, dead-lettered 0, failed 2, 98.0/s, blocked 2.5s; ' +
        'progress 50% (1200/2400 items); busiest geocode (node): busy 62%, 8 in flight, 21 queued',
    );
  });

  it('names no node when none has work', () => {
    expect(viewLine(metrics([nodeMetrics('a', 'map', { received: 5 })], { running: false, ingested: 5, completed: 5 }), 5_000)).toBe(
      'ended 5.0s: ingested 5, completed 5, pending 0, dead-lettered 0, failed 0, 0.0/s, blocked 0ms',
    );
  });

  it('the busiest node: highest busy, then most in flight, then most queued, then the first', () => {
    const pick = (...nodes: Parameters<typeof nodeMetrics>[2][]) => busiestNode(metrics(nodes.map((g, i) => nodeMetrics(`n${i}`, 'node', g))))?.name;
    expect(pick({ busy: 0.2 }, { busy: 0.9 }, { busy: 0.5, inFlight: 9 })).toBe('n1');
    expect(pick({ inFlight: 1 }, { inFlight: 3 })).toBe('n1');
    expect(pick({ inFlight: 3, queued: 1 }, { inFlight: 3, queued: 5 })).toBe('n1');
    expect(pick({ queued: 2 }, { queued: 2 })).toBe('n0');
    expect(pick({}, {})).toBeUndefined();
  });
});

describe('the units of the view', () => {
  it('counts exact while they fit, scaled beyond', () => {
    expect([count(0), count(999_999, 6), count(1_234_567, 6), count(123_456, 5), count(7.6)]).toEqual(['0', '999999', '1.23M', '123k', '8']);
  });

  it('rates, durations, sizes, shares', () => {
    expect([rate(0), rate(12.34), rate(99.94), rate(99.96), rate(340.4), rate(12_345), rate(1_234_567)]).toEqual(['0.0', '12.3', '99.9', '100', '340', '12345', '1.23M']);
    expect([duration(0), duration(999), duration(4_250), duration(42_000), duration(725_000), duration(11_220_000), duration(190_000_000)]).toEqual([
      '0ms',
      '999ms',
      '4.2s',
      '42s',
      '12m05s',
      '3h07m',
      '2d04h',
    ]);
    expect([bytes(512), bytes(1536), bytes(12 * 1024 ** 2), bytes(3.2 * 1024 ** 3)]).toEqual(['512 B', '1.5 KiB', '12.0 MiB', '3.2 GiB']);
    expect([percent(0), percent(0.424), percent(2), bar(0.3, 4), bar(-1, 3)]).toEqual(['0%', '42%', '100%', '█░░░', '░░░']);
  });

  it('text cut by cells, control characters shown as ·', () => {
    expect([cut('abcdef', 4), cut('abcd', 4), cut('日本語', 4), cut('x', 0)]).toEqual(['abc…', 'abcd', '日…', '']);
    expect([cellWidth('e\u0301'), cellWidth('日本'), printable('a\tb\u001bc')]).toEqual([1, 4, 'a·b·c']);
  });
});
