import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailableError, openDatabase, type Database, type DbLogger } from '../src/index.js';
import { createTcpProxy, createTestDatabase, type TcpProxy, type TestDatabase } from '../src/testing.js';
import { FIXTURE_SERVICE, notes } from './fixtures/schema.js';

const migrationsFolder = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));
const adminUrl = process.env.TEST_DATABASE_URL?.trim();

/*
 * A Postgres "restart" played through a TCP proxy in front of the shared server: the pool's
 * sockets are cut and new connects refused, then the port accepts again. The Database must report
 * the outage (ping false, errors classed as unavailable), not crash, and serve again by itself.
 */
describe.skipIf(!adminUrl)('postgres outage and recovery', () => {
  let target: TestDatabase;
  let proxy: TcpProxy;
  let database: Database;
  let viaProxyUrl: string;
  const warnings: string[] = [];
  const logger: DbLogger = { info() {}, warn: (_obj, msg) => warnings.push(msg ?? ''), error() {} };

  beforeAll(async () => {
    target = await createTestDatabase({ name: 'postgres', url: adminUrl }, FIXTURE_SERVICE, { migrationsFolder });
    const upstream = new URL(target.url!);
    proxy = await createTcpProxy(upstream.hostname, Number(upstream.port || 5432));
    const viaProxy = new URL(target.url!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    viaProxyUrl = viaProxy.toString();
    database = await openDatabase({
      service: FIXTURE_SERVICE,
      url: viaProxyUrl,
      pool: { max: 3, connectionTimeoutMillis: 1000 },
      logger,
    });
  });
  afterAll(async () => {
    await database?.close();
    await proxy?.close();
    await target?.drop();
  });

  it('reports the outage, then recovers without being reopened', async () => {
    await database.db.insert(notes).values({ title: 'before' });
    expect(await database.ping()).toBe(true);
    // Two connections opened, so one sits idle in the pool while the other runs the slow query.
    await Promise.all([database.query('SELECT pg_sleep(0.05)'), database.query('SELECT pg_sleep(0.05)')]);

    // One query in flight and one idle pooled connection when the link drops.
    const inFlight = database.query('SELECT pg_sleep(5)').catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await proxy.pause();

    const cut = await inFlight;
    expect(cut).toBeInstanceOf(Error);
    expect(isDatabaseUnavailableError(cut)).toBe(true);
    // The idle connection's death reaches the pool's error handler instead of crashing the
    // process. Awaited before the next query, which would otherwise take that connection first.
    await expect.poll(() => warnings.some((w) => w.includes('idle postgres connection lost'))).toBe(true);

    expect(await database.ping(500)).toBe(false);
    const refused = await database.db.select().from(notes).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Error);
    expect(isDatabaseUnavailableError(refused)).toBe(true);

    await proxy.resume();
    expect(await database.ping()).toBe(true);
    const rows = await database.db.select({ title: notes.title }).from(notes);
    expect(rows).toEqual([{ title: 'before' }]);
  });

  it('refuses to open while Postgres is down, with an error classed as unavailable', async () => {
    await proxy.pause();
    try {
      const err = await openDatabase({ service: FIXTURE_SERVICE, url: viaProxyUrl, migrationsFolder }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(isDatabaseUnavailableError(err)).toBe(true);
    } finally {
      await proxy.resume();
    }
  });
});
