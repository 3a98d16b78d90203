import { describe, expect, it } from 'vitest';
import { loadOptional } from '../../src/connectors/optional.js';
import { isConsecutionError } from '../../src/errors.js';

describe('loadOptional', () => {
  it('loads an installed package', async () => {
    const pg = await loadOptional<{ default: { Pool: unknown } }>('pg', 'toPostgres');
    expect(typeof pg.default.Pool).toBe('function');
  });

  it('names the connector and the npm install line when the package is missing', async () => {
    const e: unknown = await loadOptional('no-such-package-xyz', 'fromNowhere').catch((x: unknown) => x);
    expect(isConsecutionError(e, 'DEPENDENCY_MISSING')).toBe(true);
    expect((e as Error).message).toBe('fromNowhere needs the package "no-such-package-xyz", which is not installed: run `npm install no-such-package-xyz`');
  });
});
