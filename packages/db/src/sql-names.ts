import { createHash } from 'node:crypto';

/*
 * Postgres identifiers built from service names. A service name is interpolated into DDL, pool
 * startup options and advisory-lock keys, so it is held to a plain lower-case identifier rather
 * than escaped case by case.
 */

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new Error(
      `invalid service schema name "${name}": use lower-case letters, digits and underscores (max 63), not starting with a digit`,
    );
  }
  return name;
}

/** Double-quotes an identifier, doubling embedded quotes, for names that come from the catalog. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A stable signed 64-bit key for `pg_advisory_lock`, derived from the service name so every
 * replica of a service contends for the same lock and different services never do. Returned as a
 * decimal string because int8 parameters travel as text on both drivers.
 */
export function advisoryLockKey(service: string): string {
  const digest = createHash('sha256').update(`symbia:migrations:${service}`).digest();
  return digest.readBigInt64BE(0).toString();
}
