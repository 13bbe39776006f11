import { defineRoute, noStore, paginationQuery, uuidParam, type AnyRouteSpec, type RateLimiter } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { callerOf, userJwt } from './guards.js';
import { futureIso, personName, scope } from './schemas.js';

const keyMeta = z.looseObject({ id: z.uuid(), name: z.string(), keyPrefix: z.string(), scopes: z.array(z.string()) });
const keyCreated = keyMeta.extend({ key: z.string(), _warning: z.string() });
const idParam = uuidParam('id');
const manageErrors = ['IDENTITY_USER_TOKEN_REQUIRED', 'IDENTITY_KEY_NOT_FOUND'];

/** §2.7, mounted at both `/api/api-keys` and `/api/auth/keys`. */
export function createApiKeysRoutes(svc: IdentityServices, limits: { createKey: RateLimiter }): AnyRouteSpec[] {
  const at = (suffix = '') => ({ path: `/api/api-keys${suffix}`, aliases: [`/api/auth/keys${suffix}`] });
  return [
    defineRoute({
      method: 'post', ...at(), operationId: 'apiKeys.create', summary: 'Create an API key (shown once)', tags: ['api-keys'], auth: 'user-jwt',
      body: z.strictObject({
        name: personName,
        description: z.string().max(500).optional(),
        orgId: z.uuid().optional(),
        scopes: z.array(scope).max(50).optional(),
        serviceId: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/).optional(),
        env: z.string().regex(/^[a-z0-9-]{1,32}$/).optional(),
        expiresAt: futureIso.optional(),
      }),
      guards: [userJwt], middleware: [limits.createKey],
      responses: { 201: { description: 'Created; `key` is shown only now', schema: keyCreated } },
      errors: ['VALIDATION_FAILED', 'TENANT_ORG_FORBIDDEN', 'IDENTITY_SCOPE_NOT_GRANTABLE', 'RATE_LIMITED', 'IDENTITY_USER_TOKEN_REQUIRED'],
      handler: async ({ body, req, res }) => {
        noStore(res);
        res.status(201);
        return svc.apiKeys.create(callerOf(req), body);
      },
    }),
    defineRoute({
      method: 'get', ...at(), operationId: 'apiKeys.list', summary: 'Your keys, or all keys bound to an org you administer', tags: ['api-keys'], auth: 'user-jwt',
      query: paginationQuery.extend({ orgId: z.uuid().optional(), includeRevoked: z.enum(['true', 'false']).transform((v) => v === 'true').optional() }),
      guards: [userJwt],
      responses: { 200: { description: 'Page of keys', schema: z.object({ apiKeys: z.array(keyMeta), nextCursor: z.string().nullable() }) } },
      errors: ['IDENTITY_USER_TOKEN_REQUIRED', 'PAGINATION_CURSOR_INVALID'],
      handler: ({ query, req }) => svc.apiKeys.list(callerOf(req), query),
    }),
    defineRoute({
      method: 'get', ...at('/:id'), operationId: 'apiKeys.get', summary: 'Key metadata', tags: ['api-keys'], auth: 'user-jwt: creator, org:admin of the bound org, or SA',
      params: idParam, guards: [userJwt],
      responses: { 200: { description: 'Key', schema: keyMeta } }, errors: manageErrors,
      handler: ({ params, req }) => svc.apiKeys.get(callerOf(req), params.id),
    }),
    defineRoute({
      method: 'post', ...at('/:id/revoke'), operationId: 'apiKeys.revoke', summary: 'Revoke a key', tags: ['api-keys'], auth: 'user-jwt: creator, org:admin of the bound org, or SA',
      params: idParam, guards: [userJwt],
      responses: { 200: { description: 'Revoked key', schema: keyMeta } }, errors: [...manageErrors, 'IDENTITY_KEY_ALREADY_REVOKED'],
      handler: ({ params, req }) => svc.apiKeys.revoke(callerOf(req), params.id),
    }),
    defineRoute({
      method: 'post', ...at('/:id/rotate'), operationId: 'apiKeys.rotate', summary: 'Replace a key; the old one works until the grace period ends', tags: ['api-keys'],
      auth: 'user-jwt: creator, org:admin of the bound org, or SA',
      params: idParam, body: z.strictObject({ gracePeriodSeconds: z.number().int().min(0).max(86_400).default(0) }), guards: [userJwt], middleware: [limits.createKey],
      responses: { 201: { description: 'New key (shown once)', schema: keyCreated.extend({ rotatedFrom: z.uuid() }) } },
      errors: [...manageErrors, 'IDENTITY_KEY_ALREADY_REVOKED', 'RATE_LIMITED'],
      handler: async ({ params, body, req, res }) => {
        noStore(res);
        res.status(201);
        return svc.apiKeys.rotate(callerOf(req), params.id, body.gracePeriodSeconds);
      },
    }),
    defineRoute({
      method: 'delete', ...at('/:id'), operationId: 'apiKeys.delete', summary: 'Revoke a key and hide it from listings', tags: ['api-keys'], auth: 'user-jwt: creator, org:admin of the bound org, or SA',
      params: idParam, guards: [userJwt],
      responses: { 204: { description: 'Deleted' } }, errors: manageErrors,
      handler: async ({ params, req, res }) => {
        await svc.apiKeys.remove(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
  ];
}
