import { mkdir } from 'node:fs/promises';
import { PGlite, types, type Results, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { DrizzleDb, Engine, EngineSession, QueryResult, SqlQueryer } from './types.js';

export interface PgliteEngineOptions<TSchema extends Record<string, unknown>> {
  schemaName: string;
  /** Absent: in memory, gone on close. */
  dataDir?: string;
  schema?: TSchema;
}

/**
 * PGlite's defaults differ from node-postgres for two types, which would make raw SQL behave
 * differently in tests than in production: int8 comes back as a JS number (silently losing
 * precision past 2^53) and bytea as a Uint8Array. These parsers give what `pg` gives. Drizzle
 * passes its own per-query parsers for date types only, so these still apply under it.
 */
const PG_COMPATIBLE_PARSERS = {
  [types.INT8]: (value: string) => value,
  [types.BYTEA]: (value: string) => Buffer.from(value.startsWith('\\x') ? value.slice(2) : value, 'hex'),
};

function toResult<R>(result: Results<R>): QueryResult<R> {
  return { rows: result.rows, rowCount: result.affectedRows ?? 0 };
}

function queryerOf(client: PGlite | Transaction): SqlQueryer {
  return {
    query: async <R>(text: string, params?: unknown[]) => toResult<R>(await client.query<R>(text, params)),
  };
}

/**
 * Embedded Postgres compiled to WASM. It is a single backend session, so "one dedicated
 * connection" is the instance itself, and PGlite already serialises callers: a transaction holds
 * the instance until it ends.
 */
export async function openPgliteEngine<TSchema extends Record<string, unknown>>(
  options: PgliteEngineOptions<TSchema>,
): Promise<Engine<TSchema>> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const client = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    parsers: PG_COMPATIBLE_PARSERS,
  });
  // Same resolution as the pool's startup option, so raw SQL behaves alike on both engines.
  await client.exec(`SET search_path TO "${options.schemaName}", public`);

  const db = drizzle({ client, ...(options.schema ? { schema: options.schema } : {}) }) as DrizzleDb<TSchema>;
  const instanceQueryer = queryerOf(client);

  return {
    kind: 'pglite',
    db,
    query: instanceQueryer.query,

    async withSession<T>(fn: (session: EngineSession) => Promise<T>): Promise<T> {
      return fn({ ...instanceQueryer, db: db as unknown as DrizzleDb });
    },

    async withSnapshot<T>(fn: (queryer: SqlQueryer) => Promise<T>): Promise<T> {
      return client.transaction((tx) => fn(queryerOf(tx)));
    },

    async close(): Promise<void> {
      if (!client.closed) await client.close();
    },
  };
}
