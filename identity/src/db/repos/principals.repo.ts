import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { keysetBefore } from './keyset.js';
import { agents, apiKeys, serviceAccounts } from '../schema/index.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type ServiceAccountRow = typeof serviceAccounts.$inferSelect;

export async function findApiKeyByPrefix(db: Db, keyPrefix: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.keyPrefix, keyPrefix)).limit(1);
  return row;
}

export async function findApiKeyById(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row;
}

export async function insertApiKey(db: Db, values: typeof apiKeys.$inferInsert): Promise<ApiKeyRow> {
  const [row] = await db.insert(apiKeys).values(values).returning();
  return row!;
}

export async function updateApiKey(db: Db, id: string, patch: Partial<typeof apiKeys.$inferInsert>): Promise<ApiKeyRow | undefined> {
  const [row] = await db.update(apiKeys).set(patch).where(eq(apiKeys.id, id)).returning();
  return row;
}

/** Usage counters are batched by the caller; this adds what accumulated since the last write. */
export async function recordApiKeyUse(db: Db, id: string, uses: number, at: Date): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: at, useCount: sql`${apiKeys.useCount} + ${uses}` })
    .where(eq(apiKeys.id, id));
}

export async function listApiKeys(
  db: Db,
  filter: { createdBy?: string; orgId?: string; includeRevoked: boolean; limit: number; after?: { createdAt: Date; id: string } },
): Promise<ApiKeyRow[]> {
  const conds = [sql`${apiKeys.deletedAt} IS NULL`];
  if (filter.createdBy) conds.push(eq(apiKeys.createdBy, filter.createdBy));
  if (filter.orgId) conds.push(eq(apiKeys.orgId, filter.orgId));
  if (!filter.includeRevoked) conds.push(sql`(${apiKeys.revokedAt} IS NULL OR ${apiKeys.revokedAt} > now())`);
  if (filter.after) {
    conds.push(keysetBefore(apiKeys.createdAt, apiKeys.id, filter.after));
  }
  return db
    .select()
    .from(apiKeys)
    .where(and(...conds))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .limit(filter.limit);
}

export async function findAgentById(db: Db, id: string): Promise<AgentRow | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.id, id)).limit(1);
  return row;
}

export async function findAgentByAgentId(db: Db, agentId: string): Promise<AgentRow | undefined> {
  const [row] = await db.select().from(agents).where(eq(agents.agentId, agentId)).limit(1);
  return row;
}

export async function insertAgent(db: Db, values: typeof agents.$inferInsert): Promise<AgentRow> {
  const [row] = await db.insert(agents).values(values).returning();
  return row!;
}

export async function updateAgent(db: Db, id: string, patch: Partial<typeof agents.$inferInsert>): Promise<AgentRow | undefined> {
  const [row] = await db.update(agents).set({ ...patch, updatedAt: new Date() }).where(eq(agents.id, id)).returning();
  return row;
}

export async function deleteAgent(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(agents).where(eq(agents.id, id)).returning({ id: agents.id });
  return rows.length > 0;
}

export async function listOrgAgents(db: Db, orgId: string, limit: number, after?: { createdAt: Date; id: string }): Promise<AgentRow[]> {
  const conds = [eq(agents.orgId, orgId)];
  if (after) conds.push(keysetBefore(agents.createdAt, agents.id, after));
  return db
    .select()
    .from(agents)
    .where(and(...conds))
    .orderBy(desc(agents.createdAt), desc(agents.id))
    .limit(limit);
}

export async function countAgents(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(agents);
  return row?.n ?? 0;
}

export async function findServiceAccountByServiceId(db: Db, serviceId: string): Promise<ServiceAccountRow | undefined> {
  const [row] = await db.select().from(serviceAccounts).where(eq(serviceAccounts.serviceId, serviceId)).limit(1);
  return row;
}

export async function findServiceAccountById(db: Db, id: string): Promise<ServiceAccountRow | undefined> {
  const [row] = await db.select().from(serviceAccounts).where(eq(serviceAccounts.id, id)).limit(1);
  return row;
}

export async function listServiceAccounts(db: Db): Promise<ServiceAccountRow[]> {
  return db.select().from(serviceAccounts).orderBy(desc(serviceAccounts.createdAt), desc(serviceAccounts.id));
}

export async function insertServiceAccount(db: Db, values: typeof serviceAccounts.$inferInsert): Promise<ServiceAccountRow> {
  const [row] = await db.insert(serviceAccounts).values(values).returning();
  return row!;
}

export async function updateServiceAccount(
  db: Db,
  id: string,
  patch: Partial<typeof serviceAccounts.$inferInsert>,
): Promise<ServiceAccountRow | undefined> {
  const [row] = await db.update(serviceAccounts).set({ ...patch, updatedAt: new Date() }).where(eq(serviceAccounts.id, id)).returning();
  return row;
}

export async function deleteServiceAccount(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(serviceAccounts).where(eq(serviceAccounts.id, id)).returning({ id: serviceAccounts.id });
  return rows.length > 0;
}
