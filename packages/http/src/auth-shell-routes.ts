import { z } from 'zod';
import { requireAuth } from './auth.js';
import type { Principal } from './context.js';
import { defineRoute, type AnyRouteSpec } from './route.js';

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/**
 * The caller as introspected, in the shapes of identity's `GET /api/auth/me` (§2.3). Built from the
 * introspection answer, so fields identity keeps to itself (a user's `createdAt`, a key's prefix)
 * are absent here; identity's own route has them.
 */
export function describePrincipal(p: Principal): Record<string, unknown> {
  const raw = p.raw ?? {};
  switch (p.type) {
    case 'user':
      return {
        type: 'user',
        user: { id: p.id, email: p.email ?? null, name: p.name ?? null, isSuperAdmin: p.isSuperAdmin, entitlements: p.entitlements, roles: p.roles },
        organizations: p.organizations,
      };
    case 'agent':
      return {
        type: 'agent',
        agent: { id: p.id, agentId: p.agentId ?? null, name: p.name ?? null, orgId: str(raw.orgId), capabilities: p.scopes, isActive: true },
      };
    case 'api_key':
      return {
        type: 'api_key',
        apiKey: { id: p.keyId ?? null, name: p.name ?? null, orgId: p.boundOrgId ?? null, scopes: p.scopes, expiresAt: typeof raw.exp === 'number' ? new Date(raw.exp * 1000).toISOString() : null },
        user: { id: p.id, email: p.email ?? null },
        organizations: p.organizations,
      };
    case 'service':
      return { type: 'service', service: { serviceId: p.serviceId ?? null, scopes: p.scopes } };
  }
}

/** `GET /api/auth/config` and `GET /api/auth/me`, which every service but identity serves (§1.3). */
export function createAuthShellRoutes(options: { identityUrl: string }): AnyRouteSpec[] {
  const base = options.identityUrl.replace(/\/+$/, '');
  return [
    defineRoute({
      method: 'get',
      path: '/api/auth/config',
      operationId: 'auth.config',
      summary: 'Where to log in and out',
      tags: ['auth'],
      auth: 'none',
      responses: { 200: { description: 'Identity endpoints', schema: z.object({ identityServiceUrl: z.string(), loginUrl: z.string(), logoutUrl: z.string() }) } },
      handler: () => ({ identityServiceUrl: base, loginUrl: `${base}/api/auth/login`, logoutUrl: `${base}/api/auth/logout` }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/auth/me',
      operationId: 'auth.me',
      summary: 'The caller, as introspected by identity',
      tags: ['auth'],
      auth: 'any',
      guards: [requireAuth],
      responses: { 200: { description: 'user, agent, api_key or service shape', schema: z.looseObject({ type: z.enum(['user', 'agent', 'api_key', 'service']) }) } },
      errors: ['AUTH_REQUIRED', 'AUTH_INVALID', 'DEPENDENCY_UNAVAILABLE'],
      handler: ({ req }) => describePrincipal(req.ctx.principal!),
    }),
  ];
}
