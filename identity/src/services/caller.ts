import type { Principal } from '@symbia/http';

/**
 * Everything a service method needs to know about who asks and from where, without seeing the
 * HTTP request: the principal, and the request facts the audit log records.
 */
export interface Caller {
  principal?: Principal;
  ip?: string;
  userAgent?: string;
  requestId?: string;
  /**
   * Orgs a super admin entered without being a member during this request; the route layer audits
   * them as `admin.org_crossed` once the request has succeeded.
   */
  crossings?: string[];
}

export type AuditActor = { actorType: 'user' | 'agent' | 'service' | 'api_key' | 'system'; actorId: string | null };

export function actorOf(caller: Caller): AuditActor {
  const p = caller.principal;
  if (!p) return { actorType: 'system', actorId: null };
  if (p.type === 'api_key') return { actorType: 'api_key', actorId: p.keyId ?? p.id };
  return { actorType: p.type, actorId: p.id };
}
