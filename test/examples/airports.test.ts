import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main, type Route } from '../../examples/airports.js';

describe('examples/airports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'consecution-airports-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('computes the 45 distances, to the collector and to the file', async () => {
    const file = join(dir, 'routes.ndjson');
    const { routes, report, file: written } = await main({ quiet: true, file });
    expect(written).toBe(file);
    expect(routes).toHaveLength(45);
    expect(new Set(routes.map((r) => `${r.from}-${r.to}`)).size).toBe(45);
    const atlLax = routes.find((r) => r.from === 'ATL' && r.to === 'LAX');
    expect(atlLax?.km).toBeGreaterThanOrEqual(3050);
    expect(atlLax?.km).toBeLessThanOrEqual(3150);
    const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(routes.length);
    const fromFile = lines.map((l) => JSON.parse(l) as Route);
    const key = (r: Route) => `${r.from}-${r.to}`;
    expect([...fromFile].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...routes].sort((a, b) => key(a).localeCompare(key(b))));
    expect(report).toMatchObject({ ok: true, ingested: 45, completed: 45, failed: 0 });
  });

  it('writes to a temporary file by default', async () => {
    const { file, routes } = await main({ quiet: true });
    try {
      expect(file.startsWith(tmpdir())).toBe(true);
      expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(routes.length);
    } finally {
      await rm(join(file, '..'), { recursive: true, force: true });
    }
  });
});
