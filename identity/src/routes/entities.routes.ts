import { defineRoute, paginationQuery, type AnyRouteSpec } from '@symbia/http';
import type { Request } from 'express';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { ENTITY_INSTANCE, ENTITY_SLUG, ENTITY_TYPES } from '../services/entities.service.js';
import { anyPrincipal, callerOf, selectRequestOrg } from './guards.js';
import { boundedObject, personName } from './schemas.js';

const entityType = z.enum(ENTITY_TYPES);
const entityId = z.string().max(40);
const nodeId = z.string().min(1).max(200);
const strings = (maxLength: number) => z.array(z.string().min(1).max(maxLength)).max(50);

const entity = z.object({
  id: z.string(),
  orgId: z.uuid().nullable(),
  type: entityType,
  slug: z.string(),
  displayName: z.string(),
  instanceId: z.string().nullable(),
  status: z.string(),
  boundNodeId: z.string().nullable(),
  capabilities: z.array(z.string()),
  tags: z.array(z.string()),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const idParam = z.object({ id: entityId });
const notFound = ['IDENTITY_ENTITY_NOT_FOUND'];
const tenancy = ['TENANT_ORG_REQUIRED', 'TENANT_ORG_FORBIDDEN'];

/** The entity directory (outline §2.10). List, create and resolve work in the selected org. */
export function createEntitiesRoutes(svc: IdentityServices): AnyRouteSpec[] {
  const e = svc.entities;
  const selectedOrg = (req: Request) => selectRequestOrg(req, svc.deps.database.db);
  return [
    defineRoute({
      method: 'post', path: '/api/entities', operationId: 'entities.create', summary: 'Register an addressable entity in the selected org', tags: ['entities'], auth: 'org:member',
      body: z.strictObject({
        type: entityType,
        slug: z.string().regex(ENTITY_SLUG, 'lowercase letters, digits and hyphens, 1–63, starting with a letter or digit'),
        displayName: personName,
        instanceId: z.string().regex(ENTITY_INSTANCE, 'letters, digits, . _ -, 1–64').optional(),
        capabilities: strings(100).optional(),
        tags: strings(50).optional(),
        metadata: boundedObject(8 * 1024).optional(),
      }),
      guards: [anyPrincipal],
      responses: { 201: { description: 'Created', schema: entity } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_ORG_ROLE_REQUIRED', 'IDENTITY_ENTITY_EXISTS', ...tenancy],
      handler: async ({ body, req, res }) => {
        const orgId = await selectedOrg(req);
        res.status(201);
        return e.create(callerOf(req), orgId, body);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/entities', operationId: 'entities.list', summary: 'Entities of the selected org and the platform', tags: ['entities'], auth: 'org:viewer',
      query: paginationQuery.extend({ type: entityType.optional(), q: z.string().min(1).max(100).optional() }), guards: [anyPrincipal],
      responses: { 200: { description: 'Page of entities', schema: z.object({ entities: z.array(entity), nextCursor: z.string().nullable() }) } },
      errors: ['VALIDATION_FAILED', 'PAGINATION_CURSOR_INVALID', ...tenancy],
      handler: async ({ query, req }) => e.list(callerOf(req), await selectedOrg(req), query),
    }),
    defineRoute({
      method: 'post', path: '/api/entities/resolve', operationId: 'entities.resolve', summary: 'Resolve @slug, type:slug, ent_<uuid> or slug#instance', tags: ['entities'], auth: 'org:viewer',
      body: z.strictObject({ address: z.string().min(1).max(200) }), guards: [anyPrincipal],
      responses: { 200: { description: 'Matches', schema: z.object({ address: z.string(), count: z.number().int(), resolved: z.array(entity) }) } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_ENTITY_NOT_FOUND', ...tenancy],
      handler: async ({ body, req }) => e.resolve(callerOf(req), await selectedOrg(req), body.address),
    }),
    defineRoute({
      method: 'get', path: '/api/entities/by-node/:nodeId', operationId: 'entities.byNode', summary: 'The entity bound to a mesh node', tags: ['entities'], auth: 'org:viewer',
      params: z.object({ nodeId }), guards: [anyPrincipal],
      responses: { 200: { description: 'Entity', schema: entity } }, errors: notFound,
      handler: ({ params, req }) => e.byNode(callerOf(req), params.nodeId),
    }),
    defineRoute({
      method: 'get', path: '/api/entities/:id', operationId: 'entities.get', summary: 'An entity', tags: ['entities'], auth: 'org:viewer',
      params: idParam, guards: [anyPrincipal],
      responses: { 200: { description: 'Entity', schema: entity } }, errors: notFound,
      handler: ({ params, req }) => e.get(callerOf(req), params.id),
    }),
    defineRoute({
      method: 'patch', path: '/api/entities/:id', operationId: 'entities.update', summary: 'Update an entity', tags: ['entities'], auth: 'org:member',
      params: idParam, guards: [anyPrincipal],
      body: z.strictObject({
        displayName: personName.optional(),
        status: z.enum(['active', 'inactive', 'suspended']).optional(),
        capabilities: strings(100).optional(),
        tags: strings(50).optional(),
        metadata: boundedObject(8 * 1024).optional(),
      }),
      responses: { 200: { description: 'Entity', schema: entity } }, errors: [...notFound, 'VALIDATION_FAILED', 'IDENTITY_ORG_ROLE_REQUIRED'],
      handler: ({ params, body, req }) => e.update(callerOf(req), params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/api/entities/:id/bind', operationId: 'entities.bind', summary: 'Bind an entity to a mesh node', tags: ['entities'], auth: 'svc:network or org:admin',
      params: idParam, body: z.strictObject({ nodeId }), guards: [anyPrincipal],
      responses: { 200: { description: 'Entity', schema: entity } }, errors: [...notFound, 'VALIDATION_FAILED', 'IDENTITY_ORG_ROLE_REQUIRED'],
      handler: ({ params, body, req }) => e.bind(callerOf(req), params.id, body.nodeId),
    }),
    defineRoute({
      method: 'post', path: '/api/entities/:id/unbind', operationId: 'entities.unbind', summary: 'Clear the node binding (only if still bound to `nodeId`, when given)', tags: ['entities'], auth: 'svc:network or org:admin',
      params: idParam, body: z.strictObject({ nodeId: nodeId.optional() }), guards: [anyPrincipal],
      responses: { 200: { description: 'Entity', schema: entity } }, errors: [...notFound, 'VALIDATION_FAILED', 'IDENTITY_ORG_ROLE_REQUIRED'],
      handler: ({ params, body, req }) => e.bind(callerOf(req), params.id, null, body.nodeId),
    }),
  ];
}
