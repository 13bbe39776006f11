import { defineRoute, HttpProblem, noStore, requirePrincipal, scopesCover, uuidParam, validationProblem, type AnyRouteSpec } from '@symbia/http';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { callerOf, selectRequestOrg, userJwt, userOrKey } from './guards.js';
import { boundedObject, personName } from './schemas.js';

const provider = z.string().regex(/^[a-z0-9-]{2,40}$/, 'lowercase letters, digits and hyphens, 2–40');
const credentialMeta = z.object({
  id: z.uuid(),
  provider: z.string(),
  name: z.string(),
  credentialPrefix: z.string(),
  isOrgWide: z.boolean(),
  orgId: z.uuid(),
  ownerId: z.uuid(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
const plaintext = z.object({
  apiKey: z.string(),
  credentialId: z.uuid(),
  provider: z.string(),
  ownerId: z.uuid(),
  orgId: z.uuid(),
  isOrgWide: z.boolean(),
  isProxy: z.boolean(),
  metadata: z.record(z.string(), z.unknown()),
});

/**
 * §2.9 guard: plaintext goes to integrations' service identity only, holding the
 * `identity:credentials.read` scope. The principal is what the credential proved; headers such as
 * X-Service-Id are labels and are never consulted here.
 */
const integrationsReader: RequestHandler = (req, _res, next) => {
  const p = requirePrincipal(req);
  if (!(p.type === 'service' && p.serviceId === 'integrations' && scopesCover(p.scopes, 'cap:identity.credentials.read'))) {
    throw new HttpProblem('IDENTITY_SERVICE_ONLY', { detail: "Only the integrations service's identity may read credentials" });
  }
  next();
};

/** Services may address any org, so the internal routes need X-Org-Id spelled out. */
function internalOrg(req: Request): string {
  const orgId = req.ctx.tenant.orgId;
  if (!orgId) throw new HttpProblem('TENANT_ORG_REQUIRED', { detail: 'Send X-Org-Id with the org the credential is used in' });
  return orgId;
}

const internalErrors = ['TENANT_ORG_REQUIRED', 'IDENTITY_SERVICE_ONLY', 'IDENTITY_CREDENTIAL_NOT_FOUND'];

/** The credentials vault: user-facing metadata routes and the integrations-only plaintext fetch. */
export function createCredentialsRoutes(svc: IdentityServices): AnyRouteSpec[] {
  const c = svc.credentials;
  const selectedOrg = (req: Request) => selectRequestOrg(req, svc.deps.database.db);
  return [
    defineRoute({
      method: 'post', path: '/api/credentials', operationId: 'credentials.create', summary: 'Store a provider key in the vault (selected org)', tags: ['credentials'], auth: 'user-jwt',
      body: z.strictObject({
        provider,
        name: personName,
        apiKey: z.string().min(8).max(4096),
        isOrgWide: z.boolean().default(false),
        metadata: boundedObject(4 * 1024).optional(),
      }),
      guards: [userJwt],
      responses: { 201: { description: 'Stored; the key itself is never returned', schema: credentialMeta } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_ORG_ROLE_REQUIRED', 'TENANT_ORG_FORBIDDEN', 'TENANT_ORG_REQUIRED', 'IDENTITY_USER_TOKEN_REQUIRED'],
      handler: async ({ body, req, res }) => {
        const orgId = await selectedOrg(req);
        noStore(res);
        res.status(201);
        return c.create(callerOf(req), orgId, body);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/credentials', operationId: 'credentials.list', summary: "Your credentials in the selected org, plus its org-wide ones", tags: ['credentials'], auth: 'user',
      guards: [userOrKey],
      responses: { 200: { description: 'Credential metadata', schema: z.object({ credentials: z.array(credentialMeta) }) } },
      errors: ['AUTH_REQUIRED', 'TENANT_ORG_FORBIDDEN', 'TENANT_ORG_REQUIRED'],
      handler: async ({ req, res }) => {
        const orgId = await selectedOrg(req);
        noStore(res);
        return c.list(callerOf(req), orgId);
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/credentials/:id', operationId: 'credentials.delete', summary: 'Delete a credential (owner; org admin for org-wide)', tags: ['credentials'], auth: 'user-jwt',
      params: uuidParam('id'), guards: [userJwt], responses: { 204: { description: 'Deleted' } },
      errors: ['IDENTITY_CREDENTIAL_NOT_FOUND', 'IDENTITY_ORG_ROLE_REQUIRED', 'TENANT_ORG_FORBIDDEN', 'TENANT_ORG_REQUIRED'],
      handler: async ({ params, req, res }) => {
        const orgId = await selectedOrg(req);
        await c.remove(callerOf(req), orgId, params.id);
        res.status(204).end();
      },
    }),
    // Registered before `/:userId/:provider`, which would otherwise also match `by-id/<id>`.
    defineRoute({
      method: 'get', path: '/api/internal/credentials/by-id/:id', operationId: 'credentials.internal.byId', summary: 'Plaintext credential by id, for the user named by X-On-Behalf-Of', tags: ['credentials'], auth: 'svc:integrations',
      params: uuidParam('id'), guards: [integrationsReader],
      responses: { 200: { description: 'Credential with plaintext', schema: plaintext } }, errors: [...internalErrors, 'VALIDATION_FAILED'],
      handler: async ({ params, req, res }) => {
        const orgId = internalOrg(req);
        const userId = req.ctx.tenant.onBehalfOf;
        if (!userId) throw validationProblem([{ location: 'headers', path: 'x-on-behalf-of', message: 'required: the user the credential is used for', code: 'invalid_type' }]);
        noStore(res);
        return c.fetchById(callerOf(req), orgId, userId, params.id);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/internal/credentials/:userId/:provider', operationId: 'credentials.internal.resolve', summary: "A user's credential for a provider in X-Org-Id, else the org-wide one", tags: ['credentials'], auth: 'svc:integrations',
      params: z.object({ userId: z.uuid(), provider }), guards: [integrationsReader],
      responses: { 200: { description: 'Credential with plaintext', schema: plaintext } }, errors: internalErrors,
      handler: async ({ params, req, res }) => {
        const orgId = internalOrg(req);
        noStore(res);
        return c.fetchForUser(callerOf(req), orgId, params.userId, params.provider);
      },
    }),
  ];
}

