import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { applicationServices, applications, orgServices, scopedEntitlements } from '../schema/index.js';
import { keysetBefore, type PageAfter } from './keyset.js';

export type ApplicationRow = typeof applications.$inferSelect;
export type ApplicationInsert = typeof applications.$inferInsert;
export type OrgServiceRow = typeof orgServices.$inferSelect;
export type OrgServiceInsert = typeof orgServices.$inferInsert;

/** A project's children are listed in full on the project page, bounded so one GET stays cheap. */
const CHILDREN_MAX = 200;

export async function insertApplication(db: Db, values: ApplicationInsert): Promise<ApplicationRow> {
  const [row] = await db.insert(applications).values(values).returning();
  return row!;
}

export async function findApplicationById(db: Db, id: string): Promise<ApplicationRow | undefined> {
  const [row] = await db.select().from(applications).where(eq(applications.id, id)).limit(1);
  return row;
}

export async function listProjectApplications(db: Db, projectId: string, limit = CHILDREN_MAX, after?: PageAfter): Promise<ApplicationRow[]> {
  const conds: SQL[] = [eq(applications.projectId, projectId)];
  if (after) conds.push(keysetBefore(applications.createdAt, applications.id, after));
  return db
    .select()
    .from(applications)
    .where(and(...conds))
    .orderBy(desc(applications.createdAt), desc(applications.id))
    .limit(limit);
}

export async function updateApplication(db: Db, id: string, patch: Partial<ApplicationInsert>): Promise<ApplicationRow | undefined> {
  const [row] = await db.update(applications).set({ ...patch, updatedAt: new Date() }).where(eq(applications.id, id)).returning();
  return row;
}

/** Links go with the row by foreign key; entitlements scoped to it have none, so they go here. */
export async function deleteApplication(db: Db, id: string): Promise<void> {
  await db.delete(scopedEntitlements).where(and(eq(scopedEntitlements.scopeType, 'application'), eq(scopedEntitlements.scopeId, id)));
  await db.delete(applications).where(eq(applications.id, id));
}

export async function insertOrgService(db: Db, values: OrgServiceInsert): Promise<OrgServiceRow> {
  const [row] = await db.insert(orgServices).values(values).returning();
  return row!;
}

export async function findOrgServiceById(db: Db, id: string): Promise<OrgServiceRow | undefined> {
  const [row] = await db.select().from(orgServices).where(eq(orgServices.id, id)).limit(1);
  return row;
}

export async function listProjectServices(db: Db, projectId: string, limit = CHILDREN_MAX, after?: PageAfter): Promise<OrgServiceRow[]> {
  const conds: SQL[] = [eq(orgServices.projectId, projectId)];
  if (after) conds.push(keysetBefore(orgServices.createdAt, orgServices.id, after));
  return db
    .select()
    .from(orgServices)
    .where(and(...conds))
    .orderBy(desc(orgServices.createdAt), desc(orgServices.id))
    .limit(limit);
}

export async function updateOrgService(db: Db, id: string, patch: Partial<OrgServiceInsert>): Promise<OrgServiceRow | undefined> {
  const [row] = await db.update(orgServices).set({ ...patch, updatedAt: new Date() }).where(eq(orgServices.id, id)).returning();
  return row;
}

export async function deleteOrgService(db: Db, id: string): Promise<void> {
  await db.delete(scopedEntitlements).where(and(eq(scopedEntitlements.scopeType, 'service'), eq(scopedEntitlements.scopeId, id)));
  await db.delete(orgServices).where(eq(orgServices.id, id));
}

/** Services linked to one application, newest link first. */
export async function listLinkedServices(db: Db, applicationId: string): Promise<OrgServiceRow[]> {
  const rows = await db
    .select({ service: orgServices })
    .from(applicationServices)
    .innerJoin(orgServices, eq(orgServices.id, applicationServices.serviceId))
    .where(eq(applicationServices.applicationId, applicationId))
    .orderBy(desc(applicationServices.createdAt))
    .limit(CHILDREN_MAX);
  return rows.map((r) => r.service);
}

/** True when the link was made by this call; an existing link is left as it is. */
export async function insertLink(db: Db, applicationId: string, serviceId: string): Promise<boolean> {
  const rows = await db
    .insert(applicationServices)
    .values({ applicationId, serviceId })
    .onConflictDoNothing()
    .returning({ applicationId: applicationServices.applicationId });
  return rows.length > 0;
}

export async function deleteLink(db: Db, applicationId: string, serviceId: string): Promise<boolean> {
  const rows = await db
    .delete(applicationServices)
    .where(and(eq(applicationServices.applicationId, applicationId), eq(applicationServices.serviceId, serviceId)))
    .returning({ applicationId: applicationServices.applicationId });
  return rows.length > 0;
}
