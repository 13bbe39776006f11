import { envBool, envInt, envPrefix, serviceEnv, type Env, type ServiceId } from '@symbia/sys';
import type { DatabaseOptions, PoolOptions } from './types.js';

export type ResolvedDatabaseOptions = Required<Pick<DatabaseOptions, 'service'>> &
  Pick<DatabaseOptions, 'url' | 'dataDir' | 'pool'>;

/**
 * Turns a service's environment into connection options:
 *
 * - `<SVC>_DATABASE_URL`, else `DATABASE_URL`: Postgres through a pool.
 * - neither set, or `<SVC>_USE_MEMORY_DB=true` (also honoured unprefixed): embedded PGlite. The
 *   override wins over a URL so one service of a stack can be run in isolation without editing
 *   the shared variables.
 * - `<SVC>_DATA_DIR`: where PGlite persists. Only the prefixed form is read: PGlite's files belong
 *   to one process, so a directory shared by every service would corrupt it.
 * - `<SVC>_DATABASE_POOL_MAX` / `DATABASE_POOL_MAX`, `<SVC>_DATABASE_CONNECT_TIMEOUT_MS` /
 *   `DATABASE_CONNECT_TIMEOUT_MS`: pool bounds.
 */
export function resolveDatabaseOptions(service: ServiceId, env: Env = process.env): ResolvedDatabaseOptions {
  const prefix = envPrefix(service);
  const forceMemory = envBool(serviceEnv(service, 'USE_MEMORY_DB', env), false);
  const url = forceMemory ? undefined : serviceEnv(service, 'DATABASE_URL', env)?.trim() || undefined;
  const dataDirRaw = env[`${prefix}_DATA_DIR`]?.trim();
  const dataDir = url === undefined && dataDirRaw ? dataDirRaw : undefined;

  const pool: PoolOptions = {};
  const max = envInt(serviceEnv(service, 'DATABASE_POOL_MAX', env), 0, `${prefix}_DATABASE_POOL_MAX`);
  if (max > 0) pool.max = max;
  const timeout = envInt(
    serviceEnv(service, 'DATABASE_CONNECT_TIMEOUT_MS', env),
    0,
    `${prefix}_DATABASE_CONNECT_TIMEOUT_MS`,
  );
  if (timeout > 0) pool.connectionTimeoutMillis = timeout;

  return { service, url, dataDir, pool };
}

/** A URL fit for a log line: the password replaced, everything else kept for diagnosis. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database url>';
  }
}
