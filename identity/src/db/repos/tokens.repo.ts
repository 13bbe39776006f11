import { and, eq, gt, lt } from 'drizzle-orm';
import type { Db } from '../client.js';
import { revokedTokens } from '../schema/index.js';

/** Deny-list a token id; false when it already was (a second logout, or a racing refresh). */
export async function denyToken(db: Db, jti: string, subject: string, expiresAt: Date): Promise<boolean> {
  const rows = await db.insert(revokedTokens).values({ jti, subject, expiresAt }).onConflictDoNothing().returning({ jti: revokedTokens.jti });
  return rows.length > 0;
}

export async function isTokenDenied(db: Db, jti: string, now = new Date()): Promise<boolean> {
  const rows = await db
    .select({ jti: revokedTokens.jti })
    .from(revokedTokens)
    .where(and(eq(revokedTokens.jti, jti), gt(revokedTokens.expiresAt, now)))
    .limit(1);
  return rows.length > 0;
}

/** Entries past the token's own expiry protect nothing; the sweeper removes them. */
export async function purgeExpiredDenials(db: Db, now = new Date()): Promise<number> {
  const rows = await db.delete(revokedTokens).where(lt(revokedTokens.expiresAt, now)).returning({ jti: revokedTokens.jti });
  return rows.length;
}
