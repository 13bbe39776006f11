import { defineRoute, HttpProblem, noStore, paginationQuery, uuidParam, type AnyRouteSpec, type RateLimiter } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { callerOf, superAdmin } from './guards.js';
import { auditQuery, capability, email, futureIso, personName, roleKey, scope, slug } from './schemas.js';

const auditOut = z.object({ auditLogs: z.array(z.looseObject({ id: z.uuid(), action: z.string() })), nextCursor: z.string().nullable() });
const userIdParam = uuidParam('userId');
const grantOut = z.object({ key: z.string(), expiresAt: z.string().nullable(), grantedBy: z.string().nullable(), createdAt: z.string() });
const planBody = z.strictObject({ name: personName, features: z.array(z.string().max(100)).max(100), limits: z.record(z.string(), z.number().int().min(-1)), priceCents: z.number().int().min(0) });
const saErrors = ['AUTH_REQUIRED', 'IDENTITY_SUPERADMIN_REQUIRED', 'RATE_LIMITED'];

/** Global `cap:*` (entitlements) and `role:*` (roles) grants share one shape; `kind` picks the list. */
function globalGrantRoutes(svc: IdentityServices, admin: RateLimiter, kind: 'entitlements' | 'roles'): AnyRouteSpec[] {
  const key = kind === 'entitlements' ? capability : roleKey;
  const prefix = kind === 'entitlements' ? 'cap' : 'role';
  return [
    defineRoute({
      method: 'get', path: `/api/admin/users/:userId/${kind}`, operationId: `admin.users.${kind}.list`, summary: `A user's global ${kind}`, tags: ['admin'], auth: 'SA',
      params: userIdParam, guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: kind, schema: z.object({ [kind]: z.array(grantOut) }) } }, errors: [...saErrors, 'IDENTITY_USER_NOT_FOUND'],
      handler: async ({ params }) => ({ [kind]: await svc.admin.listGlobalGrants(params.userId, prefix) }),
    }),
    defineRoute({
      method: 'post', path: `/api/admin/users/:userId/${kind}`, operationId: `admin.users.${kind}.add`, summary: `Grant a global ${kind === 'entitlements' ? 'capability' : 'role'}`, tags: ['admin'], auth: 'SA',
      params: userIdParam, body: z.strictObject({ key, expiresAt: futureIso.optional() }), guards: [superAdmin], middleware: [admin],
      responses: { 201: { description: 'Granted', schema: grantOut }, 200: { description: 'Already granted', schema: grantOut } },
      errors: [...saErrors, 'VALIDATION_FAILED', 'IDENTITY_USER_NOT_FOUND'],
      handler: async ({ params, body, req, res }) => {
        const r = await svc.admin.grantGlobal(callerOf(req), params.userId, body);
        res.status(r.created ? 201 : 200);
        return r.grant;
      },
    }),
    defineRoute({
      method: 'delete', path: `/api/admin/users/:userId/${kind}/:key`, operationId: `admin.users.${kind}.remove`, summary: `Remove a global ${kind === 'entitlements' ? 'capability' : 'role'}`, tags: ['admin'], auth: 'SA',
      params: z.object({ userId: z.uuid(), key }), guards: [superAdmin], middleware: [admin],
      responses: { 204: { description: 'Removed' } }, errors: [...saErrors, 'IDENTITY_USER_NOT_FOUND', 'NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await svc.admin.revokeGlobal(callerOf(req), params.userId, params.key);
        res.status(204).end();
      },
    }),
  ];
}

export function createAdminRoutes(svc: IdentityServices, limits: { admin: RateLimiter }): AnyRouteSpec[] {
  const admin = limits.admin;
  return [
    defineRoute({
      method: 'get', path: '/api/admin/audit-logs', operationId: 'admin.auditLogs', summary: 'The whole audit log', tags: ['admin', 'audit'], auth: 'SA',
      query: auditQuery.extend({ orgId: z.uuid().optional() }), guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Page of entries', schema: auditOut } }, errors: [...saErrors, 'PAGINATION_CURSOR_INVALID'],
      handler: ({ query }) => svc.admin.auditLogs(query),
    }),
    defineRoute({
      method: 'get', path: '/api/admin/users', operationId: 'admin.users.list', summary: 'Users, by email or name prefix', tags: ['admin'], auth: 'SA',
      query: paginationQuery.extend({ q: z.string().max(254).optional() }), guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Page of users', schema: z.object({ users: z.array(z.looseObject({ id: z.uuid() })), nextCursor: z.string().nullable() }) } },
      errors: saErrors,
      handler: ({ query }) => svc.admin.listUsers(query),
    }),
    defineRoute({
      method: 'patch', path: '/api/admin/users/:id', operationId: 'admin.users.update', summary: 'Edit, promote or disable a user', tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), body: z.strictObject({ name: personName.optional(), email: email.optional(), isSuperAdmin: z.boolean().optional(), isActive: z.boolean().optional() }),
      guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'User', schema: z.looseObject({ id: z.uuid() }) } },
      errors: [...saErrors, 'IDENTITY_USER_NOT_FOUND', 'IDENTITY_SELF_MODIFICATION', 'IDENTITY_EMAIL_TAKEN'],
      handler: ({ params, body, req }) => svc.admin.updateUser(callerOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/admin/users/:id', operationId: 'admin.users.delete', summary: 'Delete a user', tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), guards: [superAdmin], middleware: [admin],
      responses: { 204: { description: 'Deleted' } }, errors: [...saErrors, 'IDENTITY_USER_NOT_FOUND', 'IDENTITY_SELF_MODIFICATION'],
      handler: async ({ params, req, res }) => {
        await svc.admin.deleteUser(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post', path: '/api/admin/users/:id/revoke-sessions', operationId: 'admin.users.revokeSessions', summary: "Revoke every token of a user", tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), guards: [superAdmin], middleware: [admin],
      responses: { 204: { description: 'Revoked' } }, errors: [...saErrors, 'IDENTITY_USER_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await svc.admin.revokeSessions(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
    ...globalGrantRoutes(svc, limits.admin, 'entitlements'),
    ...globalGrantRoutes(svc, limits.admin, 'roles'),
    defineRoute({
      method: 'get', path: '/api/admin/orgs', operationId: 'admin.orgs.list', summary: 'Every organization with counts', tags: ['admin'], auth: 'SA',
      query: paginationQuery, guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Page of orgs', schema: z.object({ organizations: z.array(z.looseObject({ id: z.uuid() })), nextCursor: z.string().nullable() }) } },
      errors: saErrors,
      handler: ({ query }) => svc.admin.listOrgs(query),
    }),
    defineRoute({
      method: 'patch', path: '/api/admin/orgs/:id', operationId: 'admin.orgs.update', summary: "Edit any org, including its plan", tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), body: z.strictObject({ name: personName.optional(), slug: slug.optional(), planId: z.uuid().optional() }), guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Organization', schema: z.looseObject({ id: z.uuid() }) } },
      errors: [...saErrors, 'IDENTITY_ORG_NOT_FOUND', 'IDENTITY_PLAN_NOT_FOUND', 'IDENTITY_ORG_SLUG_TAKEN'],
      handler: ({ params, body, req }) => svc.admin.updateOrg(callerOf(req), params.id, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/admin/orgs/:id', operationId: 'admin.orgs.delete', summary: 'Delete any org', tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), guards: [superAdmin], middleware: [admin],
      responses: { 204: { description: 'Deleted' } }, errors: [...saErrors, 'IDENTITY_ORG_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await svc.orgs.removeAsAdmin(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post', path: '/api/admin/plans', operationId: 'admin.plans.create', summary: 'Create a plan', tags: ['admin', 'plans'], auth: 'SA',
      body: planBody, guards: [superAdmin], middleware: [admin],
      responses: { 201: { description: 'Plan', schema: z.looseObject({ id: z.uuid() }) } }, errors: [...saErrors, 'VALIDATION_FAILED', 'IDENTITY_PLAN_NAME_TAKEN'],
      handler: async ({ body, req, res }) => {
        res.status(201);
        return svc.admin.createPlan(callerOf(req), body);
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/admin/plans/:id', operationId: 'admin.plans.update', summary: 'Edit a plan', tags: ['admin', 'plans'], auth: 'SA',
      params: uuidParam('id'), body: planBody.partial(), guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Plan', schema: z.looseObject({ id: z.uuid() }) } },
      errors: [...saErrors, 'IDENTITY_PLAN_NOT_FOUND', 'IDENTITY_PLAN_NAME_TAKEN'],
      handler: ({ params, body, req }) => svc.admin.updatePlan(callerOf(req), params.id, body),
    }),
    defineRoute({
      method: 'get', path: '/api/admin/service-accounts', operationId: 'admin.serviceAccounts.list', summary: 'Service accounts', tags: ['admin'], auth: 'SA',
      guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Accounts', schema: z.object({ serviceAccounts: z.array(z.looseObject({ id: z.uuid() })) }) } }, errors: saErrors,
      handler: async () => ({ serviceAccounts: await svc.serviceAccounts.list() }),
    }),
    defineRoute({
      method: 'post', path: '/api/admin/service-accounts', operationId: 'admin.serviceAccounts.create', summary: 'Create a service account (secret shown once)', tags: ['admin'], auth: 'SA',
      body: z.strictObject({ serviceId: z.string().regex(/^[a-z][a-z0-9-]{1,31}$/), scopes: z.array(scope).max(50).optional() }), guards: [superAdmin], middleware: [admin],
      responses: { 201: { description: 'Account with `secret`', schema: z.looseObject({ id: z.uuid(), secret: z.string() }) } },
      errors: [...saErrors, 'VALIDATION_FAILED', 'IDENTITY_SERVICE_ACCOUNT_EXISTS'],
      handler: async ({ body, req, res }) => {
        noStore(res);
        res.status(201);
        return svc.serviceAccounts.create(callerOf(req), body);
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/admin/service-accounts/:id', operationId: 'admin.serviceAccounts.update', summary: "Change a service account's scopes", tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), body: z.strictObject({ scopes: z.array(scope).max(50) }), guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Account', schema: z.looseObject({ id: z.uuid() }) } }, errors: [...saErrors, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND'],
      handler: ({ params, body, req }) => svc.serviceAccounts.update(callerOf(req), params.id, body.scopes),
    }),
    defineRoute({
      method: 'delete', path: '/api/admin/service-accounts/:id', operationId: 'admin.serviceAccounts.delete', summary: 'Delete a service account', tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), guards: [superAdmin], middleware: [admin],
      responses: { 204: { description: 'Deleted' } }, errors: [...saErrors, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await svc.serviceAccounts.remove(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post', path: '/api/admin/service-accounts/:id/rotate', operationId: 'admin.serviceAccounts.rotate', summary: 'New secret; old tokens revoked', tags: ['admin'], auth: 'SA',
      params: uuidParam('id'), guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'The new secret', schema: z.object({ secret: z.string() }) } }, errors: [...saErrors, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        noStore(res);
        return svc.serviceAccounts.rotate(callerOf(req), params.id);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/stats', operationId: 'admin.stats', summary: 'Platform totals', tags: ['admin'], auth: 'SA',
      guards: [superAdmin],
      responses: { 200: { description: 'Totals', schema: z.object({ totalUsers: z.number(), totalOrgs: z.number(), totalAgents: z.number() }) } }, errors: saErrors,
      handler: () => svc.admin.stats(),
    }),
    defineRoute({
      method: 'get', path: '/api/admin/email-outbox', operationId: 'admin.emailOutbox', summary: 'Stored outgoing mail (IDENTITY_EMAIL_MODE=outbox only)', tags: ['admin'], auth: 'SA',
      guards: [superAdmin], middleware: [admin],
      responses: { 200: { description: 'Messages', schema: z.object({ messages: z.array(z.looseObject({ to: z.string() })) }) } }, errors: [...saErrors, 'ROUTE_NOT_FOUND'],
      handler: ({ res }) => {
        if (svc.deps.mailer.mode !== 'outbox') throw new HttpProblem('ROUTE_NOT_FOUND', { detail: 'The email outbox is not enabled' });
        noStore(res);
        return svc.admin.outbox();
      },
    }),
  ];
}
