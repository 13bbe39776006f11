import { defineRoute, noStore, paginationQuery, uuidParam, type AnyRouteSpec } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { agentView } from '../services/views.js';
import { anyPrincipal, callerOf, pathOrgAgrees } from './guards.js';
import { boundedObject, capability, personName } from './schemas.js';

const agentOut = z.looseObject({ id: z.uuid(), agentId: z.string(), orgId: z.uuid(), capabilities: z.array(z.string()), isActive: z.boolean() });
const idParam = uuidParam('id');

export function createAgentsRoutes(svc: IdentityServices): AnyRouteSpec[] {
  return [
    defineRoute({
      method: 'get', path: '/api/orgs/:orgId/agents', operationId: 'agents.list', summary: "An org's agents", tags: ['agents'], auth: 'org:viewer',
      params: uuidParam('orgId'), query: paginationQuery, guards: [anyPrincipal, pathOrgAgrees],
      responses: { 200: { description: 'Page of agents', schema: z.object({ agents: z.array(agentOut), nextCursor: z.string().nullable() }) } },
      errors: ['IDENTITY_ORG_NOT_FOUND', 'PAGINATION_CURSOR_INVALID'],
      handler: ({ params, query, req }) => svc.agents.listForOrg(callerOf(req), params.orgId, query),
    }),
    defineRoute({
      method: 'get', path: '/api/agents/:id', operationId: 'agents.get', summary: 'An agent', tags: ['agents'], auth: "org:viewer of the agent's org",
      params: idParam, guards: [anyPrincipal],
      responses: { 200: { description: 'Agent', schema: agentOut } }, errors: ['IDENTITY_AGENT_NOT_FOUND'],
      handler: async ({ params, req }) => agentView(await svc.agents.getVisible(callerOf(req), params.id, 'viewer')),
    }),
    defineRoute({
      method: 'patch', path: '/api/agents/:id', operationId: 'agents.update', summary: 'Rename, re-scope or (de)activate an agent', tags: ['agents'], auth: 'org:admin',
      params: idParam,
      body: z.strictObject({ name: personName.optional(), capabilities: z.array(capability).max(50).optional(), isActive: z.boolean().optional(), metadata: boundedObject(8192).optional() }),
      guards: [anyPrincipal],
      responses: { 200: { description: 'Agent', schema: agentOut } },
      errors: ['VALIDATION_FAILED', 'IDENTITY_CAPABILITY_NOT_GRANTABLE', 'IDENTITY_AGENT_NOT_FOUND', 'IDENTITY_ORG_ROLE_REQUIRED'],
      handler: ({ params, body, req }) => svc.agents.update(callerOf(req), params.id, body),
    }),
    defineRoute({
      method: 'post', path: '/api/agents/:id/credential', operationId: 'agents.credential.rotate', summary: "Replace an agent's credential; its tokens are revoked", tags: ['agents'], auth: 'org:admin',
      params: idParam, body: z.strictObject({ credential: z.string().min(32).max(256).optional() }), guards: [anyPrincipal],
      responses: { 200: { description: '`credential` when generated', schema: z.object({ credential: z.string().optional() }) } },
      errors: ['IDENTITY_AGENT_NOT_FOUND', 'IDENTITY_ORG_ROLE_REQUIRED'],
      handler: async ({ params, body, req, res }) => {
        noStore(res);
        return svc.agents.rotateCredential(callerOf(req), params.id, body.credential);
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/agents/:id', operationId: 'agents.delete', summary: 'Delete an agent', tags: ['agents'], auth: 'org:admin',
      params: idParam, guards: [anyPrincipal],
      responses: { 204: { description: 'Deleted' } }, errors: ['IDENTITY_AGENT_NOT_FOUND', 'IDENTITY_ORG_ROLE_REQUIRED'],
      handler: async ({ params, req, res }) => {
        await svc.agents.remove(callerOf(req), params.id);
        res.status(204).end();
      },
    }),
  ];
}
