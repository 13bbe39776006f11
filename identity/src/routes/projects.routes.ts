import { boundedString, defineRoute, paginationQuery, uuidParam, type AnyRouteSpec } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { anyPrincipal, callerOf } from './guards.js';
import { boundedObject, personName } from './schemas.js';

/** §2.6 slugs: 1–48, unlike org slugs (3–48). */
const childSlug = z.string().min(1).max(48).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens');
const httpsUrl = z.url({ protocol: /^https$/ }).max(2048);
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
const nullable = <T extends z.ZodType>(s: T) => s.nullable().optional();

const projectFields = { name: personName, slug: childSlug, description: z.string().max(1000) };
const applicationFields = {
  name: personName,
  slug: childSlug,
  environment: z.enum(['dev', 'staging', 'prod']),
  appType: z.enum(['web', 'mobile', 'api', 'cli']),
  repoUrl: httpsUrl,
  metadata: boundedObject(8 * 1024),
};
const serviceFields = {
  name: personName,
  slug: childSlug,
  serviceType: z.enum(['database', 'api', 'auth', 'storage', 'messaging', 'analytics']),
  provider: boundedString(0, 100),
  endpointUrl: httpUrl,
  externalId: z.string().max(200),
  status: z.enum(['active', 'inactive']),
};

const project = z.looseObject({ id: z.uuid(), orgId: z.uuid(), name: z.string(), slug: z.string(), status: z.string() });
const child = z.looseObject({ id: z.uuid(), orgId: z.uuid(), projectId: z.uuid(), name: z.string(), slug: z.string() });
const entitlement = z.looseObject({ id: z.uuid(), featureKey: z.string() });
const page = <K extends string>(key: K, item: z.ZodType) => z.object({ [key]: z.array(item), nextCursor: z.string().nullable() } as Record<K, z.ZodType>);

const orgParam = uuidParam('orgId');
const projectParam = uuidParam('projectId');
const appParam = uuidParam('appId');
const serviceParam = uuidParam('serviceId');
const role = ['IDENTITY_ORG_ROLE_REQUIRED'];
const noBody = { 204: { description: 'Deleted' } };

/** Projects, applications, services and the links between them (outline §2.6). */
export function createProjectsRoutes(svc: IdentityServices): AnyRouteSpec[] {
  const p = svc.projects;
  const a = svc.applications;
  return [
    defineRoute({
      method: 'get', path: '/api/orgs/:orgId/projects', operationId: 'projects.list', summary: "An organization's projects", tags: ['projects'], auth: 'org:viewer',
      params: orgParam, query: paginationQuery, guards: [anyPrincipal],
      responses: { 200: { description: 'Page of projects', schema: page('projects', project) } }, errors: ['IDENTITY_ORG_NOT_FOUND', 'PAGINATION_CURSOR_INVALID'],
      handler: ({ params, query, req }) => p.list(callerOf(req), params.orgId, query),
    }),
    defineRoute({
      method: 'post', path: '/api/orgs/:orgId/projects', operationId: 'projects.create', summary: 'Create a project', tags: ['projects'], auth: 'org:member',
      params: orgParam, body: z.strictObject({ ...projectFields, description: projectFields.description.optional() }), guards: [anyPrincipal],
      responses: { 201: { description: 'Created', schema: project } }, errors: [...role, 'IDENTITY_ORG_NOT_FOUND', 'IDENTITY_SLUG_TAKEN'],
      handler: async ({ params, body, req, res }) => {
        res.status(201);
        return p.create(callerOf(req), params.orgId, body);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/projects/:projectId', operationId: 'projects.get', summary: 'A project with its applications, services and entitlements', tags: ['projects'], auth: 'org:viewer',
      params: projectParam, guards: [anyPrincipal],
      responses: { 200: { description: 'Project', schema: z.object({ project, applications: z.array(child), services: z.array(child), entitlements: z.array(entitlement) }) } },
      errors: ['IDENTITY_PROJECT_NOT_FOUND'],
      handler: ({ params, req }) => p.get(callerOf(req), params.projectId),
    }),
    defineRoute({
      method: 'patch', path: '/api/projects/:projectId', operationId: 'projects.update', summary: 'Update a project', tags: ['projects'], auth: 'org:member',
      params: projectParam, guards: [anyPrincipal],
      body: z.strictObject({
        name: projectFields.name.optional(),
        slug: projectFields.slug.optional(),
        description: nullable(projectFields.description),
        status: z.enum(['active', 'archived', 'suspended']).optional(),
      }),
      responses: { 200: { description: 'Project', schema: project } }, errors: [...role, 'IDENTITY_PROJECT_NOT_FOUND', 'IDENTITY_SLUG_TAKEN'],
      handler: ({ params, body, req }) => p.update(callerOf(req), params.projectId, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/projects/:projectId', operationId: 'projects.delete', summary: 'Delete a project and everything in it', tags: ['projects'], auth: 'org:admin',
      params: projectParam, guards: [anyPrincipal], responses: noBody, errors: [...role, 'IDENTITY_PROJECT_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await p.remove(callerOf(req), params.projectId);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/projects/:projectId/applications', operationId: 'applications.list', summary: "A project's applications", tags: ['applications'], auth: 'org:viewer',
      params: projectParam, query: paginationQuery, guards: [anyPrincipal],
      responses: { 200: { description: 'Page of applications', schema: page('applications', child) } }, errors: ['IDENTITY_PROJECT_NOT_FOUND', 'PAGINATION_CURSOR_INVALID'],
      handler: ({ params, query, req }) => a.listApplications(callerOf(req), params.projectId, query),
    }),
    defineRoute({
      method: 'post', path: '/api/projects/:projectId/applications', operationId: 'applications.create', summary: 'Create an application', tags: ['applications'], auth: 'org:member',
      params: projectParam, guards: [anyPrincipal],
      body: z.strictObject({ ...applicationFields, repoUrl: applicationFields.repoUrl.optional(), metadata: applicationFields.metadata.optional() }),
      responses: { 201: { description: 'Created', schema: child } }, errors: [...role, 'IDENTITY_PROJECT_NOT_FOUND', 'IDENTITY_SLUG_TAKEN'],
      handler: async ({ params, body, req, res }) => {
        res.status(201);
        return a.createApplication(callerOf(req), params.projectId, body);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/applications/:appId', operationId: 'applications.get', summary: 'An application with its services and entitlements', tags: ['applications'], auth: 'org:viewer',
      params: appParam, guards: [anyPrincipal],
      responses: { 200: { description: 'Application', schema: z.object({ application: child, services: z.array(child), entitlements: z.array(entitlement) }) } },
      errors: ['IDENTITY_APPLICATION_NOT_FOUND'],
      handler: ({ params, req }) => a.getApplication(callerOf(req), params.appId),
    }),
    defineRoute({
      method: 'patch', path: '/api/applications/:appId', operationId: 'applications.update', summary: 'Update an application', tags: ['applications'], auth: 'org:member',
      params: appParam, guards: [anyPrincipal],
      body: z.strictObject({
        name: applicationFields.name.optional(),
        slug: applicationFields.slug.optional(),
        environment: applicationFields.environment.optional(),
        appType: applicationFields.appType.optional(),
        repoUrl: nullable(applicationFields.repoUrl),
        metadata: applicationFields.metadata.optional(),
      }),
      responses: { 200: { description: 'Application', schema: child } }, errors: [...role, 'IDENTITY_APPLICATION_NOT_FOUND', 'IDENTITY_SLUG_TAKEN'],
      handler: ({ params, body, req }) => a.updateApplication(callerOf(req), params.appId, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/applications/:appId', operationId: 'applications.delete', summary: 'Delete an application', tags: ['applications'], auth: 'org:admin',
      params: appParam, guards: [anyPrincipal], responses: noBody, errors: [...role, 'IDENTITY_APPLICATION_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await a.removeApplication(callerOf(req), params.appId);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get', path: '/api/projects/:projectId/services', operationId: 'services.list', summary: "A project's services", tags: ['services'], auth: 'org:viewer',
      params: projectParam, query: paginationQuery, guards: [anyPrincipal],
      responses: { 200: { description: 'Page of services', schema: page('services', child) } }, errors: ['IDENTITY_PROJECT_NOT_FOUND', 'PAGINATION_CURSOR_INVALID'],
      handler: ({ params, query, req }) => a.listServices(callerOf(req), params.projectId, query),
    }),
    defineRoute({
      method: 'post', path: '/api/projects/:projectId/services', operationId: 'services.create', summary: 'Create a service', tags: ['services'], auth: 'org:member',
      params: projectParam, guards: [anyPrincipal],
      body: z.strictObject({
        ...serviceFields,
        provider: serviceFields.provider.optional(),
        endpointUrl: serviceFields.endpointUrl.optional(),
        externalId: serviceFields.externalId.optional(),
        status: serviceFields.status.optional(),
      }),
      responses: { 201: { description: 'Created', schema: child } }, errors: [...role, 'IDENTITY_PROJECT_NOT_FOUND', 'IDENTITY_SLUG_TAKEN'],
      handler: async ({ params, body, req, res }) => {
        res.status(201);
        return a.createService(callerOf(req), params.projectId, body);
      },
    }),
    defineRoute({
      method: 'get', path: '/api/services/:serviceId', operationId: 'services.get', summary: 'A service with its entitlements', tags: ['services'], auth: 'org:viewer',
      params: serviceParam, guards: [anyPrincipal],
      responses: { 200: { description: 'Service', schema: z.object({ service: child, entitlements: z.array(entitlement) }) } }, errors: ['IDENTITY_SERVICE_NOT_FOUND'],
      handler: ({ params, req }) => a.getService(callerOf(req), params.serviceId),
    }),
    defineRoute({
      method: 'patch', path: '/api/services/:serviceId', operationId: 'services.update', summary: 'Update a service', tags: ['services'], auth: 'org:member',
      params: serviceParam, guards: [anyPrincipal],
      body: z.strictObject({
        name: serviceFields.name.optional(),
        slug: serviceFields.slug.optional(),
        serviceType: serviceFields.serviceType.optional(),
        provider: nullable(serviceFields.provider),
        endpointUrl: nullable(serviceFields.endpointUrl),
        externalId: nullable(serviceFields.externalId),
        status: serviceFields.status.optional(),
      }),
      responses: { 200: { description: 'Service', schema: child } }, errors: [...role, 'IDENTITY_SERVICE_NOT_FOUND', 'IDENTITY_SLUG_TAKEN'],
      handler: ({ params, body, req }) => a.updateService(callerOf(req), params.serviceId, body),
    }),
    defineRoute({
      method: 'delete', path: '/api/services/:serviceId', operationId: 'services.delete', summary: 'Delete a service', tags: ['services'], auth: 'org:admin',
      params: serviceParam, guards: [anyPrincipal], responses: noBody, errors: [...role, 'IDENTITY_SERVICE_NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await a.removeService(callerOf(req), params.serviceId);
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'post', path: '/api/applications/:appId/services/:serviceId', operationId: 'applications.services.link', summary: 'Let an application use a service of its org', tags: ['applications'], auth: 'org:member',
      params: appParam.extend(serviceParam.shape), guards: [anyPrincipal],
      responses: {
        201: { description: 'Linked', schema: z.object({ applicationId: z.uuid(), serviceId: z.uuid() }) },
        200: { description: 'Already linked', schema: z.object({ applicationId: z.uuid(), serviceId: z.uuid() }) },
      },
      errors: [...role, 'IDENTITY_APPLICATION_NOT_FOUND', 'IDENTITY_SERVICE_NOT_FOUND', 'IDENTITY_CROSS_ORG_LINK'],
      handler: async ({ params, req, res }) => {
        const r = await a.link(callerOf(req), params.appId, params.serviceId);
        res.status(r.created ? 201 : 200);
        return r.link;
      },
    }),
    defineRoute({
      method: 'delete', path: '/api/applications/:appId/services/:serviceId', operationId: 'applications.services.unlink', summary: 'Remove a service from an application', tags: ['applications'], auth: 'org:admin',
      params: appParam.extend(serviceParam.shape), guards: [anyPrincipal], responses: { 204: { description: 'Unlinked' } },
      errors: [...role, 'IDENTITY_APPLICATION_NOT_FOUND', 'IDENTITY_SERVICE_NOT_FOUND', 'IDENTITY_CROSS_ORG_LINK', 'NOT_FOUND'],
      handler: async ({ params, req, res }) => {
        await a.unlink(callerOf(req), params.appId, params.serviceId);
        res.status(204).end();
      },
    }),
  ];
}
