import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { PgDialect, type PgSession } from 'drizzle-orm/pg-core';
import { advisoryLockKey, quoteIdent } from './sql-names.js';
import type { DbLogger, Engine, EngineSession } from './types.js';

/** Drizzle's default table name, kept so `drizzle-kit migrate` and we agree on what ran. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface ApplyMigrationsOptions {
  schemaName: string;
  migrationsFolder?: string;
  logger: DbLogger;
}

export interface MigrationReport {
  /** Migrations this call applied (0 when another replica, or an earlier start, already had). */
  applied: number;
  /** Migrations recorded in the service's migrations table afterwards. */
  total: number;
}

/*
 * drizzle-kit writes `CREATE SCHEMA "<svc>";` into the first migration whenever the schema module
 * exports its `pgSchema(...)` object. By the time migrations run, the schema already exists (we
 * create it so the migrations table can live in it), so the statement is made idempotent here.
 * Hashes are computed from the files before this rewrite, so the recorded history stays what
 * drizzle-kit itself would record.
 */
const CREATE_SCHEMA = /^(\s*)CREATE\s+SCHEMA\s+(?!IF\s+NOT\s+EXISTS)/i;

function idempotentSchemaCreation(migrations: MigrationMeta[]): MigrationMeta[] {
  return migrations.map((m) => ({
    ...m,
    sql: m.sql.map((stmt) => stmt.replace(CREATE_SCHEMA, '$1CREATE SCHEMA IF NOT EXISTS ')),
  }));
}

async function countApplied(session: EngineSession, schemaName: string): Promise<number> {
  const table = `${quoteIdent(schemaName)}.${quoteIdent(MIGRATIONS_TABLE)}`;
  const exists = await session.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (!exists.rows[0]?.present) return 0;
  const counted = await session.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(counted.rows[0]?.n ?? 0);
}

/**
 * Creates the service's schema and applies pending drizzle-kit migrations, all while holding a
 * session-level advisory lock keyed on the service. Replicas starting together queue on the lock;
 * the first applies, the others then find nothing left to do. `CREATE SCHEMA IF NOT EXISTS` is
 * inside the lock too because it is not safe against a concurrent twin (it can fail on the
 * catalog's unique index).
 *
 * Drizzle's `migrate()` for each driver is `readMigrationFiles` + `PgDialect.migrate` over the
 * db's session; calling those two directly gives one code path for both engines and a place to
 * make schema creation idempotent.
 */
export async function applyMigrations<TSchema extends Record<string, unknown>>(
  engine: Engine<TSchema>,
  options: ApplyMigrationsOptions,
): Promise<MigrationReport> {
  const { schemaName, migrationsFolder, logger } = options;
  // Read before locking: a missing or malformed folder should fail without touching the server.
  const migrations = migrationsFolder ? idempotentSchemaCreation(readMigrationFiles({ migrationsFolder })) : [];
  const key = advisoryLockKey(schemaName);

  return engine.withSession(async (session) => {
    await session.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      await session.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schemaName)}`);
      if (migrations.length === 0) return { applied: 0, total: 0 };

      const before = await countApplied(session, schemaName);
      // The dialect wants a session without relational schema typing; the runtime object is the same.
      await new PgDialect().migrate(migrations, session.db._.session as unknown as PgSession, {
        migrationsFolder: migrationsFolder!,
        migrationsSchema: schemaName,
        migrationsTable: MIGRATIONS_TABLE,
      });
      const total = await countApplied(session, schemaName);
      const report = { applied: total - before, total };
      if (report.applied > 0) logger.info({ service: schemaName, ...report }, 'database migrations applied');
      return report;
    } finally {
      // If this fails the connection is broken, and a lock dies with its session; withSession
      // discards the connection either way.
      await session.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    }
  });
}
