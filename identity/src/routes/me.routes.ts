import { defineRoute, HttpProblem, noStore, requirePrincipal, type AnyRouteSpec, type Principal, type RateLimiter } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { agentView } from '../services/views.js';
import { agentJwt, anyPrincipal, callerOf, userJwt } from './guards.js';
import { boundedObject, capability, personName } from './schemas.js';

const orgWithCaps = z.object({ id: z.uuid(), name: z.string(), slug: z.string(), role: z.string(), capabilities: z.array(z.string()) });

/** `GET /api/auth/me` in the four shapes of §2.3, one per principal type. */
async function describe(svc: IdentityServices, p: Principal) {
  switch (p.type) {
    case 'user': {
      // Grants and org capabilities were just computed by authentication; only createdAt is missing.
      const user = await svc.users.getUser(p.id);
      return {
        type: 'user' as const,
        user: { id: user.id, email: user.email, name: user.name, isSuperAdmin: user.isSuperAdmin, createdAt: user.createdAt.toISOString(), entitlements: p.entitlements, roles: p.roles },
        organizations: p.organizations,
      };
    }
    case 'agent': {
      const agent = await svc.agents.getSelf(p.id);
      const { id, agentId, name, orgId, capabilities, isActive } = agentView(agent);
      return { type: 'agent' as const, agent: { id, agentId, name, orgId, capabilities, isActive } };
    }
    case 'api_key': {
      const key = await svc.apiKeys.describeForIntrospection(p.keyId!);
      const creator = await svc.users.getUser(p.id);
      return {
        type: 'api_key' as const,
        apiKey: key,
        user: { id: creator.id, email: creator.email, name: creator.name },
        organizations: p.organizations,
      };
    }
    case 'service':
      return { type: 'service' as const, service: { serviceId: p.serviceId, scopes: p.scopes } };
  }
}

export function createMeRoutes(svc: IdentityServices, limits: { registerAgent: RateLimiter; loginIp: RateLimiter }): AnyRouteSpec[] {
  const me = defineRoute({
    method: 'get',
    path: '/api/auth/me',
    operationId: 'auth.me',
    summary: 'The caller, as introspected',
    tags: ['auth'],
    auth: 'any',
    guards: [anyPrincipal],
    responses: { 200: { description: 'user, agent, api_key or service shape', schema: z.looseObject({ type: z.enum(['user', 'agent', 'api_key', 'service']) }) } },
    errors: ['AUTH_REQUIRED', 'AUTH_INVALID'],
    handler: ({ req }) => describe(svc, requirePrincipal(req)),
  });

  const userMe = defineRoute({
    method: 'get',
    path: '/api/auth/user/me',
    operationId: 'auth.user.me',
    summary: 'The calling user and their orgs',
    tags: ['auth'],
    auth: 'user-jwt',
    guards: [userJwt],
    responses: { 200: { description: 'User', schema: z.object({ user: z.looseObject({ id: z.uuid() }), organizations: z.array(orgWithCaps) }) } },
    errors: ['IDENTITY_USER_TOKEN_REQUIRED'],
    handler: async ({ req }) => {
      const d = await describe(svc, requirePrincipal(req));
      if (d.type !== 'user') throw new HttpProblem('IDENTITY_USER_TOKEN_REQUIRED');
      return { user: d.user, organizations: d.organizations };
    },
  });

  const agentMe = defineRoute({
    method: 'get',
    path: '/api/auth/agent/me',
    operationId: 'auth.agent.me',
    summary: 'The calling agent',
    tags: ['auth'],
    auth: 'agent',
    guards: [agentJwt],
    responses: { 200: { description: 'Agent', schema: z.object({ agent: z.looseObject({ id: z.uuid() }) }) } },
    errors: ['IDENTITY_AGENT_TOKEN_REQUIRED'],
    handler: async ({ req }) => {
      const d = await describe(svc, requirePrincipal(req));
      if (d.type !== 'agent') throw new HttpProblem('IDENTITY_AGENT_TOKEN_REQUIRED');
      return { agent: d.agent };
    },
  });

  const agentOut = z.object({ id: z.uuid(), agentId: z.string(), name: z.string(), orgId: z.uuid(), capabilities: z.array(z.string()), isActive: z.boolean(), createdAt: z.string() });
  const registerAgent = defineRoute({
    method: 'post',
    path: '/api/auth/agent/register',
    operationId: 'auth.agent.register',
    summary: 'Register an agent in an org (org admin or SA)',
    tags: ['agents'],
    auth: 'user-jwt with org:admin of orgId, or SA',
    body: z.strictObject({
      agentId: z.string().regex(/^[a-z0-9][a-z0-9:_-]{2,63}$/),
      name: personName,
      orgId: z.uuid(),
      credential: z.string().min(32).max(256).optional(),
      capabilities: z.array(capability).max(50).optional(),
      metadata: boundedObject(8192).optional(),
    }),
    guards: [userJwt], middleware: [limits.registerAgent],
    responses: { 201: { description: 'Registered', schema: z.object({ agent: agentOut, credential: z.string().optional(), token: z.string(), expiresAt: z.string() }) } },
    errors: ['VALIDATION_FAILED', 'AUTH_REQUIRED', 'IDENTITY_ORG_ROLE_REQUIRED', 'IDENTITY_CAPABILITY_NOT_GRANTABLE', 'IDENTITY_ORG_NOT_FOUND', 'IDENTITY_AGENT_EXISTS'],
    handler: async ({ body, req, res }) => {
      const result = await svc.agents.register(callerOf(req), body);
      noStore(res);
      res.status(201);
      return result;
    },
  });

  const agentLogin = defineRoute({
    method: 'post',
    path: '/api/auth/agent/login',
    operationId: 'auth.agent.login',
    summary: 'Log an agent in with its credential',
    tags: ['agents'],
    auth: 'none',
    body: z.strictObject({ agentId: z.string().min(1).max(64), credential: z.string().min(1).max(256) }),
    middleware: [limits.loginIp],
    responses: { 200: { description: 'Agent token', schema: z.object({ agent: agentOut.extend({ lastSeenAt: z.string().nullable() }), token: z.string(), expiresAt: z.string() }) } },
    errors: ['VALIDATION_FAILED', 'IDENTITY_CREDENTIALS_INVALID', 'RATE_LIMITED'],
    handler: async ({ body, req, res }) => {
      noStore(res);
      return svc.agents.login(callerOf(req), body);
    },
  });

  return [me, userMe, agentMe, registerAgent, agentLogin];
}
