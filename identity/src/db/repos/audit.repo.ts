import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { keysetBefore } from './keyset.js';
import { auditLogs } from '../schema/index.js';

export type AuditRow = typeof auditLogs.$inferSelect;
export type AuditInsert = typeof auditLogs.$inferInsert;

export async function insertAudit(db: Db, entry: AuditInsert): Promise<void> {
  await db.insert(auditLogs).values(entry);
}

export interface AuditQuery {
  orgId?: string;
  action?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export async function listAudit(db: Db, q: AuditQuery): Promise<AuditRow[]> {
  const conds: SQL[] = [];
  if (q.orgId) conds.push(eq(auditLogs.orgId, q.orgId));
  if (q.action) conds.push(eq(auditLogs.action, q.action));
  if (q.actorId) conds.push(eq(auditLogs.actorId, q.actorId));
  if (q.from) conds.push(gte(auditLogs.createdAt, q.from));
  if (q.to) conds.push(lte(auditLogs.createdAt, q.to));
  if (q.after) conds.push(keysetBefore(auditLogs.createdAt, auditLogs.id, q.after));
  return db
    .select()
    .from(auditLogs)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(auditLogs.createdAt), desc(auditLogs.id))
    .limit(q.limit);
}
