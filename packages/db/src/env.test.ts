import { describe, expect, it } from 'vitest';
import { redactUrl, resolveDatabaseOptions } from './env.js';

const URL_A = 'postgres://app:pw@db:5432/symbia';

describe('resolveDatabaseOptions', () => {
  it('uses PGlite in memory when no URL is set', () => {
    expect(resolveDatabaseOptions('identity', {})).toEqual({ service: 'identity', url: undefined, dataDir: undefined, pool: {} });
  });

  it('uses DATABASE_URL, and the service-prefixed URL before it', () => {
    expect(resolveDatabaseOptions('identity', { DATABASE_URL: URL_A }).url).toBe(URL_A);
    const own = 'postgres://other@db/identity';
    expect(resolveDatabaseOptions('identity', { DATABASE_URL: URL_A, IDENTITY_DATABASE_URL: own }).url).toBe(own);
  });

  it('lets <SVC>_USE_MEMORY_DB=true force PGlite even with a URL', () => {
    const resolved = resolveDatabaseOptions('catalog', { DATABASE_URL: URL_A, CATALOG_USE_MEMORY_DB: 'true' });
    expect(resolved.url).toBeUndefined();
  });

  it('persists PGlite to <SVC>_DATA_DIR, and ignores it for Postgres', () => {
    expect(resolveDatabaseOptions('catalog', { CATALOG_DATA_DIR: '/var/lib/catalog' }).dataDir).toBe('/var/lib/catalog');
    expect(resolveDatabaseOptions('catalog', { CATALOG_DATA_DIR: '/x', DATABASE_URL: URL_A }).dataDir).toBeUndefined();
    // A shared directory would be opened by every service at once.
    expect(resolveDatabaseOptions('catalog', { DATA_DIR: '/shared' }).dataDir).toBeUndefined();
  });

  it('reads pool bounds', () => {
    const resolved = resolveDatabaseOptions('logging', {
      DATABASE_URL: URL_A,
      LOGGING_DATABASE_POOL_MAX: '20',
      DATABASE_CONNECT_TIMEOUT_MS: '2500',
    });
    expect(resolved.pool).toEqual({ max: 20, connectionTimeoutMillis: 2500 });
  });

  it('rejects a malformed boolean rather than guessing', () => {
    expect(() => resolveDatabaseOptions('identity', { IDENTITY_USE_MEMORY_DB: 'maybe' })).toThrow(/boolean/);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl(URL_A)).toBe('postgres://app:***@db:5432/symbia');
    expect(redactUrl('not a url')).toBe('<unparseable database url>');
  });
});
