import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { keysetBefore } from './keyset.js';
import { memberships, organizations, plans, users } from '../schema/index.js';

export type OrgRow = typeof organizations.$inferSelect;
export type MembershipRow = typeof memberships.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;
export type Role = MembershipRow['role'];

export interface UserOrgRow {
  id: string;
  name: string;
  slug: string;
  role: Role;
  planId: string | null;
  createdAt: Date;
}

export async function findOrgById(db: Db, id: string): Promise<OrgRow | undefined> {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, id)).limit(1);
  return row;
}

export async function findOrgBySlug(db: Db, slug: string): Promise<OrgRow | undefined> {
  const [row] = await db.select().from(organizations).where(eq(organizations.slug, slug)).limit(1);
  return row;
}

/** Slugs starting with `base`, to derive a free `base-2`, `base-3`… in one query. */
export async function slugsLike(db: Db, base: string): Promise<string[]> {
  const rows = await db
    .select({ slug: organizations.slug })
    .from(organizations)
    .where(or(eq(organizations.slug, base), sql`${organizations.slug} LIKE ${`${base}-%`}`));
  return rows.map((r) => r.slug);
}

export async function insertOrg(db: Db, values: typeof organizations.$inferInsert): Promise<OrgRow> {
  const [row] = await db.insert(organizations).values(values).returning();
  return row!;
}

export async function updateOrg(db: Db, id: string, patch: Partial<typeof organizations.$inferInsert>): Promise<OrgRow | undefined> {
  const [row] = await db.update(organizations).set({ ...patch, updatedAt: new Date() }).where(eq(organizations.id, id)).returning();
  return row;
}

export async function deleteOrg(db: Db, id: string): Promise<void> {
  await db.delete(organizations).where(eq(organizations.id, id));
}

export async function insertMembership(db: Db, values: typeof memberships.$inferInsert): Promise<MembershipRow> {
  const [row] = await db.insert(memberships).values(values).returning();
  return row!;
}

export async function findMembership(db: Db, orgId: string, userId: string): Promise<MembershipRow | undefined> {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .limit(1);
  return row;
}

/** A membership addressed by its id or by the member's user id (§2.5), within one org. */
export async function findMembershipByIdOrUser(db: Db, orgId: string, memberId: string): Promise<MembershipRow | undefined> {
  const [row] = await db
    .select()
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), or(eq(memberships.id, memberId), eq(memberships.userId, memberId))))
    .limit(1);
  return row;
}

export async function updateMembershipRole(db: Db, id: string, role: Role): Promise<MembershipRow | undefined> {
  const [row] = await db.update(memberships).set({ role }).where(eq(memberships.id, id)).returning();
  return row;
}

export async function deleteMembership(db: Db, id: string): Promise<void> {
  await db.delete(memberships).where(eq(memberships.id, id));
}

export async function countAdmins(db: Db, orgId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, 'admin')));
  return row?.n ?? 0;
}

export async function listUserOrgs(db: Db, userId: string): Promise<UserOrgRow[]> {
  return db
    .select({
      id: organizations.id,
      name: organizations.name,
      slug: organizations.slug,
      role: memberships.role,
      planId: organizations.planId,
      createdAt: organizations.createdAt,
    })
    .from(memberships)
    .innerJoin(organizations, eq(memberships.orgId, organizations.id))
    .where(eq(memberships.userId, userId))
    .orderBy(desc(organizations.createdAt), desc(organizations.id));
}

export async function memberCounts(db: Db, orgIds: string[]): Promise<Map<string, number>> {
  if (orgIds.length === 0) return new Map();
  const rows = await db
    .select({ orgId: memberships.orgId, n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(inArray(memberships.orgId, orgIds))
    .groupBy(memberships.orgId);
  return new Map(rows.map((r) => [r.orgId, r.n]));
}

export async function listMembers(db: Db, orgId: string, opts: { limit: number; after?: { createdAt: Date; id: string } }) {
  const conds = [eq(memberships.orgId, orgId)];
  if (opts.after) {
    conds.push(keysetBefore(memberships.joinedAt, memberships.id, opts.after));
  }
  return db
    .select({ membership: memberships, user: { id: users.id, email: users.email, name: users.name } })
    .from(memberships)
    .innerJoin(users, eq(memberships.userId, users.id))
    .where(and(...conds))
    .orderBy(desc(memberships.joinedAt), desc(memberships.id))
    .limit(opts.limit);
}

export async function findPlanByName(db: Db, name: string): Promise<PlanRow | undefined> {
  const [row] = await db.select().from(plans).where(eq(plans.name, name)).limit(1);
  return row;
}

export async function findPlanById(db: Db, id: string): Promise<PlanRow | undefined> {
  const [row] = await db.select().from(plans).where(eq(plans.id, id)).limit(1);
  return row;
}

export async function listPlans(db: Db): Promise<PlanRow[]> {
  return db.select().from(plans).orderBy(plans.priceCents, plans.name);
}

export async function insertPlanIfMissing(db: Db, values: typeof plans.$inferInsert): Promise<void> {
  await db.insert(plans).values(values).onConflictDoNothing({ target: plans.name });
}

export async function countOrgs(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(organizations);
  return row?.n ?? 0;
}

export async function listAllOrgs(db: Db, limit: number, after?: { createdAt: Date; id: string }): Promise<OrgRow[]> {
  return db
    .select()
    .from(organizations)
    .where(after ? keysetBefore(organizations.createdAt, organizations.id, after) : undefined)
    .orderBy(desc(organizations.createdAt), desc(organizations.id))
    .limit(limit);
}

export async function insertPlan(db: Db, values: typeof plans.$inferInsert): Promise<PlanRow> {
  const [row] = await db.insert(plans).values(values).returning();
  return row!;
}

export async function updatePlan(db: Db, id: string, patch: Partial<typeof plans.$inferInsert>): Promise<PlanRow | undefined> {
  const [row] = await db.update(plans).set({ ...patch, updatedAt: new Date() }).where(eq(plans.id, id)).returning();
  return row;
}
