import type { Db } from '../db/client.js';
import type { CursorCodec } from '@symbia/http';
import { insertAudit, listAudit, type AuditQuery, type AuditRow } from '../db/repos/audit.repo.js';
import { actorOf, type Caller } from './caller.js';

export interface AuditEvent {
  action: string;
  orgId?: string | null;
  resource?: string;
  resourceId?: string | null;
  /** Never secrets: callers pass ids, names and flags only. */
  metadata?: Record<string, unknown>;
  /** Override the actor (e.g. a failed login has no principal but names the account). */
  actor?: { actorType: 'user' | 'agent' | 'service' | 'api_key' | 'system'; actorId: string | null };
}

/** Append an audit entry on the given handle, which is the caller's open transaction. */
export async function audit(db: Db, caller: Caller, event: AuditEvent): Promise<void> {
  const actor = event.actor ?? actorOf(caller);
  await insertAudit(db, {
    actorType: actor.actorType,
    actorId: actor.actorId,
    orgId: event.orgId ?? null,
    action: event.action,
    resource: event.resource ?? null,
    resourceId: event.resourceId ?? null,
    ip: caller.ip ?? null,
    userAgent: caller.userAgent?.slice(0, 512) ?? null,
    requestId: caller.requestId ?? null,
    metadata: event.metadata ?? {},
  });
}

/** The repository's filters, with an opaque cursor in place of the decoded position. */
export type AuditQueryInput = Omit<AuditQuery, 'after'> & { cursor?: string };

export function auditView(a: AuditRow) {
  return {
    id: a.id,
    createdAt: a.createdAt.toISOString(),
    actorType: a.actorType,
    actorId: a.actorId,
    orgId: a.orgId,
    action: a.action,
    resource: a.resource,
    resourceId: a.resourceId,
    ip: a.ip,
    userAgent: a.userAgent,
    requestId: a.requestId,
    metadata: a.metadata,
  };
}

/**
 * A page of audit entries; the cursor is bound to the listing (`route`: the org's log or the admin
 * log) and to every filter, so it cannot be replayed on another.
 */
export async function queryAuditLogs(db: Db, cursors: CursorCodec, q: AuditQueryInput, route: 'org' | 'admin') {
  const queryKey = `audit:${route}:${q.orgId ?? ''}:${q.action ?? ''}:${q.actorId ?? ''}:${q.from?.toISOString() ?? ''}:${q.to?.toISOString() ?? ''}`;
  const after = q.cursor ? cursors.decode(queryKey, q.cursor) : undefined;
  const rows = await listAudit(db, { ...q, limit: q.limit + 1, after });
  const page = cursors.page(queryKey, rows, q.limit);
  return { auditLogs: page.items.map(auditView), nextCursor: page.nextCursor };
}
