import type { AgentRow, ApiKeyRow, ServiceAccountRow } from '../db/repos/principals.repo.js';
import type { UserRow } from '../db/repos/users.repo.js';

/**
 * Row → response mappings. This is where hashes, salts and ciphertexts are dropped: every field
 * is listed explicitly, so a new column never leaks by default.
 */
export function userView(u: UserRow) {
  return { id: u.id, email: u.email, name: u.name, isSuperAdmin: u.isSuperAdmin, createdAt: u.createdAt.toISOString() };
}

export function userDetailView(u: UserRow) {
  return { ...userView(u), isActive: u.isActive, updatedAt: u.updatedAt.toISOString() };
}

export function agentView(a: AgentRow) {
  return {
    id: a.id,
    agentId: a.agentId,
    name: a.name,
    orgId: a.orgId,
    capabilities: a.capabilities,
    isActive: a.isActive,
    lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

export function apiKeyView(k: ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    keyPrefix: k.keyPrefix,
    orgId: k.orgId,
    scopes: k.scopes,
    serviceId: k.serviceId,
    env: k.env,
    expiresAt: k.expiresAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
    useCount: k.useCount,
    revokedAt: k.revokedAt?.toISOString() ?? null,
    createdAt: k.createdAt.toISOString(),
    createdBy: k.createdBy,
  };
}

export function serviceAccountView(s: ServiceAccountRow) {
  return {
    id: s.id,
    serviceId: s.serviceId,
    scopes: s.scopes,
    createdAt: s.createdAt.toISOString(),
    lastUsedAt: s.lastUsedAt?.toISOString() ?? null,
  };
}

export function orgSummary(o: { id: string; name: string; slug: string; role: string }) {
  return { id: o.id, name: o.name, slug: o.slug, role: o.role };
}
