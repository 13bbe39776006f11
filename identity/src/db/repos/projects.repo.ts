import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { keysetBefore, type PageAfter } from './keyset.js';
import { applications, orgServices, projects, scopedEntitlements } from '../schema/index.js';

export type ProjectRow = typeof projects.$inferSelect;
export type ProjectInsert = typeof projects.$inferInsert;

export async function countProjectsByOrg(db: Db, orgIds: string[]): Promise<Map<string, number>> {
  if (orgIds.length === 0) return new Map();
  const rows = await db
    .select({ orgId: projects.orgId, n: sql<number>`count(*)::int` })
    .from(projects)
    .where(inArray(projects.orgId, orgIds))
    .groupBy(projects.orgId);
  return new Map(rows.map((r) => [r.orgId, r.n]));
}

export async function insertProject(db: Db, values: ProjectInsert): Promise<ProjectRow> {
  const [row] = await db.insert(projects).values(values).returning();
  return row!;
}

export async function findProjectById(db: Db, id: string): Promise<ProjectRow | undefined> {
  const [row] = await db.select().from(projects).where(eq(projects.id, id)).limit(1);
  return row;
}

export async function listOrgProjects(db: Db, orgId: string, limit: number, after?: PageAfter): Promise<ProjectRow[]> {
  const conds: SQL[] = [eq(projects.orgId, orgId)];
  if (after) conds.push(keysetBefore(projects.createdAt, projects.id, after));
  return db
    .select()
    .from(projects)
    .where(and(...conds))
    .orderBy(desc(projects.createdAt), desc(projects.id))
    .limit(limit);
}

export async function updateProject(db: Db, id: string, patch: Partial<ProjectInsert>): Promise<ProjectRow | undefined> {
  const [row] = await db.update(projects).set({ ...patch, updatedAt: new Date() }).where(eq(projects.id, id)).returning();
  return row;
}

/**
 * Applications, services and their links go with the project through foreign keys; scoped
 * entitlements point at their scope without one (the scope may be any of four tables), so they are
 * removed here, in the caller's transaction, before the rows they name disappear.
 */
export async function deleteProjectCascade(db: Db, id: string): Promise<void> {
  const appIds = db.select({ id: applications.id }).from(applications).where(eq(applications.projectId, id));
  const serviceIds = db.select({ id: orgServices.id }).from(orgServices).where(eq(orgServices.projectId, id));
  await db
    .delete(scopedEntitlements)
    .where(
      or(
        and(eq(scopedEntitlements.scopeType, 'project'), eq(scopedEntitlements.scopeId, id)),
        and(eq(scopedEntitlements.scopeType, 'application'), inArray(scopedEntitlements.scopeId, appIds)),
        and(eq(scopedEntitlements.scopeType, 'service'), inArray(scopedEntitlements.scopeId, serviceIds)),
      ),
    );
  await db.delete(projects).where(eq(projects.id, id));
}
