import type { DrizzleDb } from '@symbia/db';

/** A database handle or an open transaction: every repository function accepts either. */
export type Db = DrizzleDb;

/** Postgres unique violation: the repository turns it into a domain conflict. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let e: unknown = err;
  // Drizzle wraps driver errors; the SQLSTATE sits on the cause.
  for (let i = 0; i < 3 && e && typeof e === 'object'; i++) {
    const rec = e as { code?: unknown; constraint?: unknown; cause?: unknown };
    if (rec.code === '23505') return constraint === undefined || rec.constraint === constraint;
    e = rec.cause;
  }
  return false;
}
