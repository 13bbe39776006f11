import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { openDatabase } from './database.js';
import { quoteIdent } from './sql-names.js';
import type { Database, DatabaseOptions } from './types.js';

export { createTcpProxy, type TcpProxy } from './tcp-proxy.js';

export interface TestEngine {
  name: 'pglite' | 'postgres';
  /** The admin URL new test databases are created through; only for postgres. */
  url?: string;
}

/** PGlite always; real Postgres too when `TEST_DATABASE_URL` is set (CI sets it). */
export function testEngines(env: NodeJS.ProcessEnv = process.env): TestEngine[] {
  const engines: TestEngine[] = [{ name: 'pglite' }];
  const url = env.TEST_DATABASE_URL?.trim();
  if (url) engines.push({ name: 'postgres', url });
  return engines;
}

/** Declares the same suite once per engine, titled `<title> [pglite]`, `<title> [postgres]`. */
export function describeEachEngine(title: string, suite: (engine: TestEngine) => void): void {
  for (const engine of testEngines()) {
    describe(`${title} [${engine.name}]`, () => suite(engine));
  }
}

export interface TestDatabase<TSchema extends Record<string, unknown> = Record<string, never>> {
  database: Database<TSchema>;
  /** The URL of the fresh Postgres database, for spawning a real service against it. */
  url?: string;
  /** Closes the Database and, on postgres, drops the database it created. */
  drop(): Promise<void>;
}

export type TestDatabaseOptions<TSchema extends Record<string, unknown>> = Omit<
  DatabaseOptions<TSchema>,
  'service' | 'url' | 'dataDir'
>;

async function withAdminClient<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** SQLSTATE 55006: CREATE DATABASE found its template in use by a concurrent CREATE DATABASE. */
const OBJECT_IN_USE = '55006';

async function createDatabase(adminUrl: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== OBJECT_IN_USE || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
}

/** `adminUrl` with its database name swapped, keeping credentials, host and query options. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * A Database of its own for one test file (or one test): on postgres a brand-new database named
 * `symbia_t_<pid>_<random>` so parallel workers never see each other's rows or migrations; on
 * pglite an in-memory instance. PGlite takes a couple of seconds to boot, so prefer one per file
 * (`beforeAll`) and clean tables between tests over one per test.
 */
export async function createTestDatabase<TSchema extends Record<string, unknown> = Record<string, never>>(
  engine: TestEngine,
  service: string,
  options: TestDatabaseOptions<TSchema> = {},
): Promise<TestDatabase<TSchema>> {
  if (engine.name === 'pglite') {
    const database = await openDatabase<TSchema>({ ...options, service });
    return { database, drop: () => database.close() };
  }

  if (!engine.url) throw new Error('the postgres test engine needs an admin url (TEST_DATABASE_URL)');
  const adminUrl = engine.url;
  const name = `symbia_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  await createDatabase(adminUrl, name);
  const url = databaseUrl(adminUrl, name);

  let database: Database<TSchema>;
  try {
    // Tests need few connections; a small pool keeps parallel workers under max_connections.
    database = await openDatabase<TSchema>({ pool: { max: 4 }, ...options, service, url });
  } catch (err) {
    await dropDatabase(adminUrl, name).catch(() => undefined);
    throw err;
  }

  return {
    database,
    url,
    async drop() {
      await database.close();
      await dropDatabase(adminUrl, name);
    },
  };
}
