import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';

/**
 * The Drizzle database both engines produce. Typed on the base `PgDatabase` rather than the
 * node-postgres or PGlite subclass so a repository written once compiles and runs on either.
 */
export type DrizzleDb<TSchema extends Record<string, unknown> = Record<string, never>> = PgDatabase<
  PgQueryResultHKT,
  TSchema
>;

/** The transaction handle `Database.transaction` passes to its callback. */
export type DrizzleTx<TSchema extends Record<string, unknown> = Record<string, never>> = PgTransaction<
  PgQueryResultHKT,
  TSchema,
  ExtractTablesWithRelations<TSchema>
>;

/** The subset of a pino logger this package calls; pino itself satisfies it. */
export interface DbLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PoolOptions {
  /** Upper bound on open connections per process. Default 10. */
  max?: number;
  /** How long a request waits for a connection before failing. Default 5000 ms. */
  connectionTimeoutMillis?: number;
  /** How long an unused connection stays open. Default pg's own (10 s). */
  idleTimeoutMillis?: number;
}

export interface DatabaseOptions<TSchema extends Record<string, unknown> = Record<string, never>> {
  /** The owning service; also the Postgres schema its tables live in. */
  service: string;
  /** A postgres:// URL. Absent: embedded PGlite. */
  url?: string;
  /** PGlite persistence directory. Absent: in memory. Ignored for Postgres. */
  dataDir?: string;
  /** A drizzle-kit output folder (the one holding meta/_journal.json). */
  migrationsFolder?: string;
  /** The Drizzle schema module, for `db.query.<table>` relational queries. */
  schema?: TSchema;
  pool?: PoolOptions;
  logger?: DbLogger;
}

export interface QueryResult<R = any> {
  rows: R[];
  /** Rows inserted, updated or deleted (0 for a plain select on PGlite). */
  rowCount: number;
}

/** Anything that runs one parameterised statement: a pool, a checked-out client, a transaction. */
export interface SqlQueryer {
  query<R = any>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Database<TSchema extends Record<string, unknown> = Record<string, never>> {
  kind: 'postgres' | 'pglite';
  /** The Postgres schema holding this service's tables (equal to the service name). */
  schemaName: string;
  db: DrizzleDb<TSchema>;
  /** `SELECT 1` bounded by `timeoutMs`; resolves false on any failure and never rejects. */
  ping(timeoutMs?: number): Promise<boolean>;
  /**
   * Raw SQL for hot paths Drizzle makes slow (bulk `unnest` inserts, COPY-like loads).
   * Unqualified names resolve in the service's schema first. Row values are parsed the same way
   * on both engines: int8 and numeric as strings, timestamps as Dates, bytea as Buffers.
   */
  query<R = any>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  transaction<T>(fn: (tx: DrizzleTx<TSchema>) => Promise<T>): Promise<T>;
  /** Every table of the service's schema as JSON-safe rows, read from one consistent snapshot. */
  exportDatabase(): Promise<Record<string, unknown[]>>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** A connection held exclusively for the duration of a callback, with Drizzle bound to it. */
export interface EngineSession extends SqlQueryer {
  db: DrizzleDb;
}

/** What each backend (pg pool, PGlite) provides; `openDatabase` builds the public API on top. */
export interface Engine<TSchema extends Record<string, unknown>> {
  kind: Database['kind'];
  db: DrizzleDb<TSchema>;
  query: SqlQueryer['query'];
  /**
   * Runs `fn` on one dedicated connection. Advisory locks belong to a session, so the lock,
   * the migrations it guards and the unlock must all travel over the same one.
   */
  withSession<T>(fn: (session: EngineSession) => Promise<T>): Promise<T>;
  /** Runs `fn` inside a read-only repeatable-read transaction so a multi-table read is consistent. */
  withSnapshot<T>(fn: (queryer: SqlQueryer) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
