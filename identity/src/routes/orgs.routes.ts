import { defineRoute, paginationQuery, uuidParam, type AnyRouteSpec } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { actingUserId, anyPrincipal, boundOrgId, callerOf, pathOrgAgrees, userJwt, userOrKey } from './guards.js';
import { auditQuery, capability, email, futureIso, orgRole, personName, slug } from './schemas.js';

const orgParam = uuidParam('orgId');
const memberParams = z.object({ orgId: z.uuid(), memberId: z.uuid() });
const org = z.looseObject({ id: z.uuid(), name: z.string(), slug: z.string() });
const membership = z.object({ id: z.uuid(), orgId: z.uuid(), userId: z.uuid(), role: z.string(), joinedAt: z.string() });
const grant = z.object({ key: z.string(), expiresAt: z.string().nullable(), grantedBy: z.string().nullable(), createdAt: z.string() });
const notFound = ['IDENTITY_ORG_NOT_FOUND'];
/** Any principal (roles are checked per org by the service), with the path org agreeing with X-Org-Id. */
const orgGuards = [anyPrincipal, pathOrgAgrees];
const adminErrors = ['IDENTITY_ORG_ROLE_REQUIRED', 'IDENTITY_ORG_NOT_FOUND'];

export function createOrgsRoutes(svc: IdentityServices): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/api/orgs', operationId: 'orgs.list', summary: "The caller's organizations", tags: ['orgs'], auth: 'user',
      query: paginationQuery, guards: [userOrKey],
      responses: { 200: { description: 'Page of orgs', schema: z.object({ organizations: z.array(org), nextCursor: z.string().nullable() }) } },
      errors: ['AUTH_REQUIRED', 'PAGINATION_CURSOR_INVALID'],
      handler: ({ query, req }) => svc.orgs.listForUser(actingUserId(req), query, boundOrgId(req)),
    }),
    defineRoute({
      method: 'post', path: '/api/orgs', operationId: 'orgs.create', summary: 'Create an organization; the caller becomes admin', tags: ['orgs'], auth: 'user-jwt',
      body: z.strictObject({ name: personName, slug }), guards: [userJwt],
      responses: { 201: { description: 'Created', schema: org } }, errors: ['VALIDATION_FAILED', 'IDENTITY_ORG_SLUG_TAKEN'],
      handler: async ({ body, req, res }) => {
        res.status(201);
        return svc.orgs.create(callerOf(req), body);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/orgs/:orgId', operationId: 'orgs.get', summary: 'An organization with plan, members and entitlements', tags: ['orgs'], auth: 'org:viewer',
      params: orgParam, guards: orgGuards,
      responses: { 200: { description: 'Organization', schema: z.object({ organization: org, members: z.array(z.looseObject({})), entitlements: z.array(z.looseObject({})) }) } },
      errors: notFound,
      handler: ({ params, req }) => svc.orgs.get(callerOf(req), params.orgId),
    }),
    defineRoute({
      method: 'patch', path: '/api/orgs/:orgId', operationId: 'orgs.update', summary: 'Rename an organization or change its slug', tags: ['orgs'], auth: 'org:admin',
      params: orgParam, body: z.strictObject({ name: personName.optional(), slug: slug.optional() }), guards: orgGuards,
      responses: { 200: { description: 'Organization', schema: org } }, errors: [...adminErrors, 'VALIDATION_FAILED', 'IDENTITY_ORG_SLUG_TAKEN'],
      handler: ({ params, body, req }) => svc.orgs.update(callerOf(req), params.orgId, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/orgs/:orgId', operationId: 'orgs.delete', summary: "Delete an organization (confirm with its slug)", tags: ['orgs'], auth: 'org:admin',
      params: orgParam, body: z.strictObject({ confirm: z.string().max(48) }), guards: orgGuards,
      responses: { 204: { description: 'Deleted with everything it owned' } }, errors: [...adminErrors, 'IDENTITY_CONFIRMATION_MISMATCH'],
      handler: async ({ params, body, req, res }) => {
        await svc.orgs.remove(callerOf(req), params.orgId, body.confirm);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/orgs/:orgId/members', operationId: 'orgs.members.list', summary: 'Members of an organization', tags: ['members'], auth: 'org:viewer',
      params: orgParam, query: paginationQuery, guards: orgGuards,
      responses: { 200: { description: 'Page of members', schema: z.object({ members: z.array(z.looseObject({})), nextCursor: z.string().nullable() }) } },
      errors: notFound,
      handler: ({ params, query, req }) => svc.members.list(callerOf(req), params.orgId, query),
    }),
    defineRoute({
      method: 'post', path: '/api/orgs/:orgId/members/invite', operationId: 'orgs.members.invite', summary: 'Add a registered user to the organization', tags: ['members'], auth: 'org:admin',
      params: orgParam, body: z.strictObject({ email, role: orgRole.default('member') }), guards: orgGuards,
      responses: { 201: { description: 'Membership', schema: membership } }, errors: [...adminErrors, 'IDENTITY_USER_NOT_FOUND', 'IDENTITY_MEMBER_EXISTS'],
      handler: async ({ params, body, req, res }) => {
        res.status(201);
        return svc.members.invite(callerOf(req), params.orgId, body);
      },
    }),
    defineRoute({
      method: 'patch', path: '/api/orgs/:orgId/members/:memberId', operationId: 'orgs.members.update', summary: "Change a member's role", tags: ['members'], auth: 'org:admin',
      params: memberParams, body: z.strictObject({ role: orgRole }), guards: orgGuards,
      responses: { 200: { description: 'Membership', schema: membership } }, errors: [...adminErrors, 'IDENTITY_MEMBER_NOT_FOUND', 'IDENTITY_LAST_ADMIN'],
      handler: ({ params, body, req }) => svc.members.changeRole(callerOf(req), params.orgId, params.memberId, body.role),
    }),
    defineRoute({
      method: 'delete', path: '/api/orgs/:orgId/members/:memberId', operationId: 'orgs.members.remove', summary: 'Remove a member (or leave)', tags: ['members'], auth: 'org:admin, or the member themself',
      params: memberParams, guards: orgGuards,
      responses: { 204: { description: 'Removed' } }, errors: [...adminErrors, 'IDENTITY_MEMBER_NOT_FOUND', 'IDENTITY_LAST_ADMIN'],
      handler: async ({ params, req, res }) => {
        await svc.members.remove(callerOf(req), params.orgId, params.memberId);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/orgs/:orgId/members/:memberId/entitlements', operationId: 'orgs.members.grants.list', summary: "A member's capability grants in this org", tags: ['members'], auth: 'org:admin',
      params: memberParams, guards: orgGuards,
      responses: { 200: { description: 'Grants', schema: z.object({ entitlements: z.array(grant) }) } }, errors: adminErrors,
      handler: ({ params, req }) => svc.members.listGrants(callerOf(req), params.orgId, params.memberId),
    }),
    defineRoute({
      method: 'post', path: '/api/orgs/:orgId/members/:memberId/entitlements', operationId: 'orgs.members.grants.add', summary: 'Grant a member a capability in this org', tags: ['members'], auth: 'org:admin',
      params: memberParams, body: z.strictObject({ key: capability, expiresAt: futureIso.optional() }), guards: orgGuards,
      responses: { 201: { description: 'Granted', schema: grant }, 200: { description: 'Already granted', schema: grant } },
      errors: [...adminErrors, 'IDENTITY_CAPABILITY_NOT_GRANTABLE', 'IDENTITY_MEMBER_NOT_FOUND'],
      handler: async ({ params, body, req, res }) => {
        const r = await svc.members.grant(callerOf(req), params.orgId, params.memberId, body);
        res.status(r.created ? 201 : 200);
        return r.grant;
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/orgs/:orgId/members/:memberId/entitlements/:key', operationId: 'orgs.members.grants.remove', summary: 'Remove a capability grant', tags: ['members'], auth: 'org:admin',
      params: memberParams.extend({ key: capability }), guards: orgGuards,
      responses: { 204: { description: 'Removed' } }, errors: [...adminErrors, 'NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await svc.members.revokeGrant(callerOf(req), params.orgId, params.memberId, params.key);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/orgs/:orgId/audit-logs', operationId: 'orgs.auditLogs', summary: "The org's audit log", tags: ['audit'], auth: 'org:admin',
      params: orgParam, query: auditQuery, guards: orgGuards,
      responses: { 200: { description: 'Page of entries', schema: z.object({ auditLogs: z.array(z.looseObject({ id: z.uuid() })), nextCursor: z.string().nullable() }) } },
      errors: [...adminErrors, 'PAGINATION_CURSOR_INVALID'],
      handler: ({ params, query, req }) => svc.orgs.auditLogs(callerOf(req), params.orgId, query),
    }),
    defineRoute({
      method: 'get', path: '/api/entitlements/:orgId', operationId: 'orgs.entitlements', summary: "The org's plan features", tags: ['orgs'], auth: 'org:viewer',
      params: orgParam, guards: orgGuards,
      responses: { 200: { description: 'Entitlements', schema: z.object({ entitlements: z.array(z.looseObject({})) }) } }, errors: notFound,
      handler: ({ params, req }) => svc.orgs.entitlements(callerOf(req), params.orgId),
    }),
    defineRoute({
      method: 'get', path: '/api/license/:orgId', operationId: 'orgs.license', summary: "The org's plan, features and limits", tags: ['orgs'], auth: 'org:viewer',
      params: orgParam, guards: orgGuards,
      responses: { 200: { description: 'License', schema: z.looseObject({ status: z.literal('active') }) } }, errors: notFound,
      handler: ({ params, req }) => svc.orgs.license(callerOf(req), params.orgId),
    }),
    defineRoute({
      method: 'get', path: '/api/plans', aliases: ['/api/admin/plans'], operationId: 'plans.list', summary: 'Available plans', tags: ['plans'], auth: 'any',
      guards: orgGuards,
      responses: { 200: { description: 'Plans', schema: z.object({ plans: z.array(z.looseObject({ id: z.uuid() })) }) } }, errors: ['AUTH_REQUIRED'],
      handler: () => svc.admin.plans(),
    }),
  ];
}
