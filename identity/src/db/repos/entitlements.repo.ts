import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { scopedEntitlements } from '../schema/index.js';

export type ScopedEntitlementRow = typeof scopedEntitlements.$inferSelect;
export type ScopedEntitlementInsert = typeof scopedEntitlements.$inferInsert;
export type ScopeType = ScopedEntitlementRow['scopeType'];

/** The counter is a Postgres `integer`; a sum past this would be an overflow error, not a 409. */
const INT_MAX = 2_147_483_647;

export async function insertScopedEntitlement(db: Db, values: ScopedEntitlementInsert): Promise<ScopedEntitlementRow> {
  const [row] = await db.insert(scopedEntitlements).values(values).returning();
  return row!;
}

export async function findScopedEntitlementById(db: Db, id: string): Promise<ScopedEntitlementRow | undefined> {
  const [row] = await db.select().from(scopedEntitlements).where(eq(scopedEntitlements.id, id)).limit(1);
  return row;
}

export async function listScopedEntitlements(db: Db, scopeType: ScopeType, scopeId: string): Promise<ScopedEntitlementRow[]> {
  return db
    .select()
    .from(scopedEntitlements)
    .where(and(eq(scopedEntitlements.scopeType, scopeType), eq(scopedEntitlements.scopeId, scopeId)))
    .orderBy(asc(scopedEntitlements.featureKey), asc(scopedEntitlements.createdAt))
    .limit(1000);
}

export async function updateScopedEntitlement(
  db: Db,
  id: string,
  patch: Partial<Pick<ScopedEntitlementInsert, 'quota' | 'enabled' | 'expiresAt'>>,
): Promise<ScopedEntitlementRow | undefined> {
  const [row] = await db.update(scopedEntitlements).set({ ...patch, updatedAt: new Date() }).where(eq(scopedEntitlements.id, id)).returning();
  return row;
}

export async function deleteScopedEntitlement(db: Db, id: string): Promise<void> {
  await db.delete(scopedEntitlements).where(eq(scopedEntitlements.id, id));
}

/**
 * Consumes `amount` in one conditional UPDATE, so concurrent callers are serialized by the row lock
 * and Postgres re-checks the condition against the committed value: the quota can never be
 * overshot, and a refused call changes nothing. `undefined` means the condition did not hold.
 */
export async function consumeScopedEntitlement(db: Db, id: string, amount: number): Promise<ScopedEntitlementRow | undefined> {
  const t = scopedEntitlements;
  const [row] = await db
    .update(t)
    .set({ consumed: sql`${t.consumed} + ${amount}::integer`, updatedAt: new Date() })
    .where(
      and(
        eq(t.id, id),
        eq(t.enabled, true),
        sql`(${t.expiresAt} IS NULL OR ${t.expiresAt} > now())`,
        sql`(${t.quota} IS NULL OR ${t.consumed}::bigint + ${amount}::bigint <= ${t.quota})`,
        sql`${t.consumed}::bigint + ${amount}::bigint <= ${INT_MAX}::bigint`,
      ),
    )
    .returning();
  return row;
}
