import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { describeDbError } from './errors.js';
import { redactUrl } from './env.js';
import type { DbLogger, DrizzleDb, Engine, EngineSession, PoolOptions, QueryResult, SqlQueryer } from './types.js';

export const DEFAULT_POOL_MAX = 10;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface PostgresEngineOptions<TSchema extends Record<string, unknown>> {
  url: string;
  schemaName: string;
  schema?: TSchema;
  pool?: PoolOptions;
  logger: DbLogger;
}

function toResult<R>(result: pg.QueryResult): QueryResult<R> {
  return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
}

function queryerOf(client: pg.Pool | pg.PoolClient): SqlQueryer {
  return {
    query: async <R>(text: string, params?: unknown[]) => toResult<R>(await client.query(text, params)),
  };
}

/**
 * A bounded `pg` pool behind Drizzle. Nothing here retries: a query issued while Postgres is down
 * fails fast (refused, or after the connect timeout) with an error `isDatabaseUnavailableError`
 * recognises, and the pool opens fresh connections by itself once the server is back.
 */
export function openPostgresEngine<TSchema extends Record<string, unknown>>(
  options: PostgresEngineOptions<TSchema>,
): Engine<TSchema> {
  const { url, schemaName, logger } = options;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pool?.max ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: options.pool?.connectionTimeoutMillis ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(options.pool?.idleTimeoutMillis !== undefined ? { idleTimeoutMillis: options.pool.idleTimeoutMillis } : {}),
    // Detects a peer that vanished without a FIN (host crash, network partition) on idle sockets.
    keepAlive: true,
    // Unqualified raw SQL lands in the service's own schema; Drizzle tables are qualified anyway.
    options: `-c search_path=${schemaName},public`,
    application_name: `symbia-${schemaName}`,
  });

  // An idle client whose server restarts emits 'error' on the pool; without a listener Node
  // treats it as unhandled and kills the process. The pool has already discarded that client.
  pool.on('error', (err) => {
    logger.warn(
      { ...describeDbError(err), service: schemaName, db: redactUrl(url) },
      'idle postgres connection lost; the pool will reconnect on demand',
    );
  });

  const db = drizzle({ client: pool, ...(options.schema ? { schema: options.schema } : {}) }) as DrizzleDb<TSchema>;
  const poolQueryer = queryerOf(pool);

  return {
    kind: 'postgres',
    db,
    query: poolQueryer.query,

    async withSession<T>(fn: (session: EngineSession) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        const session: EngineSession = { ...queryerOf(client), db: drizzle({ client }) as DrizzleDb };
        return await fn(session);
      } finally {
        // Destroyed rather than returned: whatever session state the callback left behind
        // (an advisory lock after a failed unlock, a SET) must not leak into request traffic.
        client.release(true);
      }
    },

    async withSnapshot<T>(fn: (queryer: SqlQueryer) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let failure: Error | undefined;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const result = await fn(queryerOf(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        failure = err instanceof Error ? err : new Error(String(err));
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release(failure);
      }
    },

    async close(): Promise<void> {
      await pool.end();
    },
  };
}
