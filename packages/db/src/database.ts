import { redactUrl } from './env.js';
import { describeDbError } from './errors.js';
import { exportSchema } from './export.js';
import { applyMigrations } from './migrations.js';
import { openPgliteEngine } from './pglite-engine.js';
import { openPostgresEngine } from './postgres-engine.js';
import { assertSchemaName } from './sql-names.js';
import type { Database, DatabaseOptions, DbLogger, DrizzleTx, Engine } from './types.js';

const DEFAULT_PING_TIMEOUT_MS = 1000;

const silentLogger: DbLogger = { info() {}, warn() {}, error() {} };

/**
 * Opens a service's database: Postgres through a bounded pool when `url` is given, embedded
 * PGlite otherwise, then creates the service's schema and applies its migrations under an
 * advisory lock. Rejects if the server cannot be reached now: a service cannot serve without its
 * tables, so the caller (main.ts) decides whether to retry or exit.
 */
export async function openDatabase<TSchema extends Record<string, unknown> = Record<string, never>>(
  options: DatabaseOptions<TSchema>,
): Promise<Database<TSchema>> {
  const schemaName = assertSchemaName(options.service);
  const logger = options.logger ?? silentLogger;

  const engine: Engine<TSchema> = options.url
    ? openPostgresEngine({ url: options.url, schemaName, schema: options.schema, pool: options.pool, logger })
    : await openPgliteEngine({ schemaName, dataDir: options.dataDir, schema: options.schema });

  try {
    await applyMigrations(engine, { schemaName, migrationsFolder: options.migrationsFolder, logger });
  } catch (err) {
    // A half-open pool would keep the process alive and hold connections for nothing.
    await engine.close().catch(() => undefined);
    throw err;
  }

  logger.info(
    {
      service: schemaName,
      engine: engine.kind,
      ...(options.url ? { db: redactUrl(options.url) } : { dataDir: options.dataDir ?? 'memory' }),
    },
    'database ready',
  );
  return createDatabase(engine, schemaName, logger);
}

function createDatabase<TSchema extends Record<string, unknown>>(
  engine: Engine<TSchema>,
  schemaName: string,
  logger: DbLogger,
): Database<TSchema> {
  let closing: Promise<void> | undefined;

  return {
    kind: engine.kind,
    schemaName,
    db: engine.db,

    ping(timeoutMs = DEFAULT_PING_TIMEOUT_MS): Promise<boolean> {
      // The probe may outlive the timer (a connect attempt waits out its own timeout); its
      // outcome is swallowed so a late rejection is never unhandled.
      const probe = Promise.resolve()
        .then(() => engine.query('SELECT 1'))
        .then(
          () => true,
          () => false,
        );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
        timer.unref();
      });
      return Promise.race([probe, deadline]).finally(() => clearTimeout(timer));
    },

    query: (sql, params) => engine.query(sql, params),

    transaction<T>(fn: (tx: DrizzleTx<TSchema>) => Promise<T>): Promise<T> {
      return engine.db.transaction(fn);
    },

    exportDatabase: () => engine.withSnapshot((queryer) => exportSchema(queryer, schemaName)),

    close(): Promise<void> {
      closing ??= engine.close().catch((err: unknown) => {
        logger.warn({ ...describeDbError(err), service: schemaName }, 'error while closing the database');
      });
      return closing;
    },
  };
}
