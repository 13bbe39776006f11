export { openDatabase } from './database.js';
export { resolveDatabaseOptions, redactUrl, type ResolvedDatabaseOptions } from './env.js';
export { isDatabaseUnavailableError } from './errors.js';
export { toJsonSafe } from './export.js';
export { MIGRATIONS_TABLE } from './migrations.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_POOL_MAX } from './postgres-engine.js';
export type {
  Database,
  DatabaseOptions,
  DbLogger,
  DrizzleDb,
  DrizzleTx,
  PoolOptions,
  QueryResult,
} from './types.js';
