import { and, desc, eq, gt, ilike, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { keysetBefore } from './keyset.js';
import { userGrants, users } from '../schema/index.js';

export type UserRow = typeof users.$inferSelect;
export type UserGrantRow = typeof userGrants.$inferSelect;

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function insertUser(db: Db, values: typeof users.$inferInsert): Promise<UserRow> {
  const [row] = await db.insert(users).values(values).returning();
  return row!;
}

export async function updateUser(db: Db, id: string, patch: Partial<typeof users.$inferInsert>): Promise<UserRow | undefined> {
  const [row] = await db.update(users).set({ ...patch, updatedAt: new Date() }).where(eq(users.id, id)).returning();
  return row;
}

export async function deleteUser(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
  return rows.length > 0;
}

export async function countUsers(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? 0;
}

/** Page of users for the admin listing, newest first, keyset on (createdAt, id). */
export async function listUsers(db: Db, opts: { q?: string; limit: number; after?: { createdAt: Date; id: string } }): Promise<UserRow[]> {
  const conds = [];
  if (opts.q) {
    const prefix = `${opts.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(ilike(users.email, prefix), ilike(users.name, prefix)));
  }
  if (opts.after) {
    conds.push(keysetBefore(users.createdAt, users.id, opts.after));
  }
  return db
    .select()
    .from(users)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(opts.limit);
}

/** Active (unexpired) grants of a user: global ones (`orgId` null) and those of the given orgs. */
export async function listActiveGrants(db: Db, userId: string, now = new Date()): Promise<UserGrantRow[]> {
  return db
    .select()
    .from(userGrants)
    .where(and(eq(userGrants.userId, userId), or(isNull(userGrants.expiresAt), gt(userGrants.expiresAt, now))));
}

export async function listGrants(db: Db, userId: string, orgId: string | null): Promise<UserGrantRow[]> {
  return db
    .select()
    .from(userGrants)
    .where(and(eq(userGrants.userId, userId), orgId === null ? isNull(userGrants.orgId) : eq(userGrants.orgId, orgId)))
    .orderBy(desc(userGrants.createdAt));
}

/**
 * Insert a grant; returns `created: false` with the existing row when it is already held. An
 * expired grant is not held: it is replaced by the new one (`created: true`).
 */
export async function upsertGrant(
  db: Db,
  values: { userId: string; orgId: string | null; key: string; expiresAt: Date | null; grantedBy: string | null },
  now = new Date(),
): Promise<{ row: UserGrantRow; created: boolean }> {
  const inserted = await db.insert(userGrants).values(values).onConflictDoNothing().returning();
  if (inserted[0]) return { row: inserted[0], created: true };
  const [existing] = await db
    .select()
    .from(userGrants)
    .where(
      and(
        eq(userGrants.userId, values.userId),
        values.orgId === null ? isNull(userGrants.orgId) : eq(userGrants.orgId, values.orgId),
        eq(userGrants.key, values.key),
      ),
    );
  if (existing!.expiresAt && existing!.expiresAt <= now) {
    const [renewed] = await db
      .update(userGrants)
      .set({ expiresAt: values.expiresAt, grantedBy: values.grantedBy, createdAt: now })
      .where(eq(userGrants.id, existing!.id))
      .returning();
    return { row: renewed!, created: true };
  }
  return { row: existing!, created: false };
}

/**
 * Org grants end with the membership (or the org): a member removed and invited again starts with
 * their role's capabilities only. `userId` omitted: every grant in the org.
 */
export async function deleteOrgGrants(db: Db, orgId: string, userId?: string): Promise<void> {
  await db.delete(userGrants).where(and(eq(userGrants.orgId, orgId), userId ? eq(userGrants.userId, userId) : undefined));
}

export async function deleteGrant(db: Db, userId: string, orgId: string | null, key: string): Promise<boolean> {
  const rows = await db
    .delete(userGrants)
    .where(and(eq(userGrants.userId, userId), orgId === null ? isNull(userGrants.orgId) : eq(userGrants.orgId, orgId), eq(userGrants.key, key)))
    .returning({ id: userGrants.id });
  return rows.length > 0;
}
