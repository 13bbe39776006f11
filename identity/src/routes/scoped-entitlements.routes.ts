import { defineRoute, uuidParam, type AnyRouteSpec } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { anyPrincipal, callerOf, serviceOnly } from './guards.js';
import { isoDate } from './schemas.js';

const scopeType = z.enum(['org', 'project', 'application', 'service']);
const featureKey = z.string().regex(/^[a-z0-9._:-]{1,100}$/, 'lowercase letters, digits and . _ : -, 1–100');
/** A counter in a Postgres `integer`; larger quotas or amounts could not be stored or summed. */
const counter = z.number().int().max(2_147_483_647);
const quota = counter.min(0).nullable();

const entitlement = z.object({
  id: z.uuid(),
  orgId: z.uuid(),
  scopeType,
  scopeId: z.uuid(),
  featureKey: z.string(),
  quota: z.number().int().nullable(),
  consumed: z.number().int(),
  enabled: z.boolean(),
  expiresAt: z.string().nullable(),
});
const idParam = uuidParam('id');
const scopeNotFound = ['IDENTITY_ORG_NOT_FOUND', 'IDENTITY_PROJECT_NOT_FOUND', 'IDENTITY_APPLICATION_NOT_FOUND', 'IDENTITY_SERVICE_NOT_FOUND'];
const adminErrors = ['IDENTITY_ORG_ROLE_REQUIRED', 'NOT_FOUND'];

/** Entitlements scoped to an org, project, application or service, and their metered use (§2.6). */
export function createScopedEntitlementsRoutes(svc: IdentityServices): AnyRouteSpec[] {
  const e = svc.scopedEntitlements;
  return [
    defineRoute({
      method: 'get', path: '/api/scoped-entitlements/:scopeType/:scopeId', operationId: 'scopedEntitlements.list', summary: 'Entitlements of one scope', tags: ['entitlements'], auth: 'org:viewer',
      params: z.object({ scopeType, scopeId: z.uuid() }), guards: [anyPrincipal],
      responses: { 200: { description: 'Entitlements', schema: z.object({ entitlements: z.array(entitlement) }) } },
      errors: ['VALIDATION_FAILED', ...scopeNotFound],
      handler: ({ params, req }) => e.list(callerOf(req), params.scopeType, params.scopeId),
    }),
    defineRoute({
      method: 'post', path: '/api/scoped-entitlements', operationId: 'scopedEntitlements.create', summary: 'Grant a feature to a scope', tags: ['entitlements'], auth: 'org:admin',
      body: z.strictObject({ scopeType, scopeId: z.uuid(), featureKey, quota: quota.optional(), enabled: z.boolean().optional(), expiresAt: isoDate.optional() }),
      guards: [anyPrincipal],
      responses: { 201: { description: 'Created', schema: entitlement } }, errors: ['VALIDATION_FAILED', 'IDENTITY_ORG_ROLE_REQUIRED', ...scopeNotFound],
      handler: async ({ body, req, res }) => {
        res.status(201);
        return e.create(callerOf(req), body);
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/scoped-entitlements/:id', operationId: 'scopedEntitlements.update', summary: "Change an entitlement's quota, state or expiry", tags: ['entitlements'], auth: 'org:admin',
      params: idParam, body: z.strictObject({ quota: quota.optional(), enabled: z.boolean().optional(), expiresAt: isoDate.nullable().optional() }), guards: [anyPrincipal],
      responses: { 200: { description: 'Entitlement', schema: entitlement } }, errors: ['VALIDATION_FAILED', ...adminErrors],
      handler: ({ params, body, req }) => e.update(callerOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/scoped-entitlements/:id', operationId: 'scopedEntitlements.delete', summary: 'Remove an entitlement', tags: ['entitlements'], auth: 'org:admin',
      params: idParam, guards: [anyPrincipal], responses: { 204: { description: 'Deleted' } }, errors: adminErrors,
      handler: async ({ params, req, res }) => {
        await e.remove(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post', path: '/api/scoped-entitlements/:id/consume', operationId: 'scopedEntitlements.consume', summary: 'Consume quota atomically (services)', tags: ['entitlements'], auth: 'svc',
      params: idParam, body: z.strictObject({ amount: counter.min(1) }), guards: [serviceOnly()],
      responses: { 200: { description: 'Consumed', schema: z.object({ consumed: z.number().int(), quota: z.number().int().nullable(), remaining: z.number().int().nullable() }) } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_SERVICE_ONLY', 'NOT_FOUND', 'IDENTITY_QUOTA_EXCEEDED'],
      handler: ({ params, body, req }) => e.consume(callerOf(req), params.id, body.amount),
    }),
  ];
}
