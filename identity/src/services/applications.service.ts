import { HttpProblem, type CursorCodec } from '@symbia/http';
import {
  deleteApplication,
  deleteLink,
  deleteOrgService,
  insertApplication,
  insertLink,
  insertOrgService,
  listLinkedServices,
  listProjectApplications,
  listProjectServices,
  updateApplication,
  updateOrgService,
  type ApplicationInsert,
  type ApplicationRow,
  type OrgServiceInsert,
  type OrgServiceRow,
} from '../db/repos/applications.repo.js';
import { listScopedEntitlements } from '../db/repos/entitlements.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { applicationView, entitlementView, loadApplication, loadOrgService, loadProject, orgServiceView, slugTaken } from './resource-access.js';

export type ApplicationInput = Pick<ApplicationInsert, 'name' | 'slug' | 'environment' | 'appType' | 'repoUrl' | 'metadata'>;
export type OrgServiceInput = Pick<OrgServiceInsert, 'name' | 'slug' | 'serviceType' | 'provider' | 'endpointUrl' | 'externalId' | 'status'>;

/**
 * Applications and services of a project, and the links between them (outline §2.6). Every object
 * carries the org of its project, so the tenant check is the same one-row lookup for all of them.
 */
export class ApplicationsService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  async listApplications(caller: Caller, projectId: string, query: { limit: number; cursor?: string }) {
    const project = await loadProject(this.db, caller, projectId, 'viewer');
    const queryKey = `applications:${project.id}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    const page = this.cursors.page(queryKey, await listProjectApplications(this.db, project.id, query.limit + 1, after), query.limit);
    return { applications: page.items.map(applicationView), nextCursor: page.nextCursor };
  }

  async createApplication(caller: Caller, projectId: string, input: ApplicationInput) {
    const project = await loadProject(this.db, caller, projectId, 'member');
    const row = await this.deps.database.transaction(async (tx) => {
      let created: ApplicationRow;
      try {
        created = await insertApplication(tx, { ...input, orgId: project.orgId, projectId: project.id });
      } catch (err) {
        slugTaken(err, input.slug);
      }
      await audit(tx, caller, { action: 'application.created', orgId: project.orgId, resource: 'application', resourceId: created.id, metadata: { projectId: project.id, slug: created.slug } });
      return created;
    });
    return applicationView(row);
  }

  async getApplication(caller: Caller, appId: string) {
    const app = await loadApplication(this.db, caller, appId, 'viewer');
    const [services, entitlements] = await Promise.all([listLinkedServices(this.db, app.id), listScopedEntitlements(this.db, 'application', app.id)]);
    return { application: applicationView(app), services: services.map(orgServiceView), entitlements: entitlements.map(entitlementView) };
  }

  async updateApplication(caller: Caller, appId: string, patch: Partial<ApplicationInput>) {
    const app = await loadApplication(this.db, caller, appId, 'member');
    const row = await this.deps.database.transaction(async (tx) => {
      let updated: ApplicationRow | undefined;
      try {
        updated = await updateApplication(tx, app.id, patch);
      } catch (err) {
        slugTaken(err, patch.slug);
      }
      if (!updated) throw new HttpProblem('IDENTITY_APPLICATION_NOT_FOUND');
      await audit(tx, caller, { action: 'application.updated', orgId: app.orgId, resource: 'application', resourceId: app.id, metadata: { fields: Object.keys(patch) } });
      return updated;
    });
    return applicationView(row);
  }

  async removeApplication(caller: Caller, appId: string): Promise<void> {
    const app = await loadApplication(this.db, caller, appId, 'admin');
    await this.deps.database.transaction(async (tx) => {
      await deleteApplication(tx, app.id);
      await audit(tx, caller, { action: 'application.deleted', orgId: app.orgId, resource: 'application', resourceId: app.id, metadata: { slug: app.slug } });
    });
  }

  async listServices(caller: Caller, projectId: string, query: { limit: number; cursor?: string }) {
    const project = await loadProject(this.db, caller, projectId, 'viewer');
    const queryKey = `services:${project.id}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    const page = this.cursors.page(queryKey, await listProjectServices(this.db, project.id, query.limit + 1, after), query.limit);
    return { services: page.items.map(orgServiceView), nextCursor: page.nextCursor };
  }

  async createService(caller: Caller, projectId: string, input: OrgServiceInput) {
    const project = await loadProject(this.db, caller, projectId, 'member');
    const row = await this.deps.database.transaction(async (tx) => {
      let created: OrgServiceRow;
      try {
        created = await insertOrgService(tx, { ...input, orgId: project.orgId, projectId: project.id });
      } catch (err) {
        slugTaken(err, input.slug);
      }
      await audit(tx, caller, { action: 'service.created', orgId: project.orgId, resource: 'service', resourceId: created.id, metadata: { projectId: project.id, slug: created.slug } });
      return created;
    });
    return orgServiceView(row);
  }

  async getService(caller: Caller, serviceId: string) {
    const service = await loadOrgService(this.db, caller, serviceId, 'viewer');
    const entitlements = await listScopedEntitlements(this.db, 'service', service.id);
    return { service: orgServiceView(service), entitlements: entitlements.map(entitlementView) };
  }

  async updateService(caller: Caller, serviceId: string, patch: Partial<OrgServiceInput>) {
    const service = await loadOrgService(this.db, caller, serviceId, 'member');
    const row = await this.deps.database.transaction(async (tx) => {
      let updated: OrgServiceRow | undefined;
      try {
        updated = await updateOrgService(tx, service.id, patch);
      } catch (err) {
        slugTaken(err, patch.slug);
      }
      if (!updated) throw new HttpProblem('IDENTITY_SERVICE_NOT_FOUND');
      await audit(tx, caller, { action: 'service.updated', orgId: service.orgId, resource: 'service', resourceId: service.id, metadata: { fields: Object.keys(patch) } });
      return updated;
    });
    return orgServiceView(row);
  }

  async removeService(caller: Caller, serviceId: string): Promise<void> {
    const service = await loadOrgService(this.db, caller, serviceId, 'admin');
    await this.deps.database.transaction(async (tx) => {
      await deleteOrgService(tx, service.id);
      await audit(tx, caller, { action: 'service.deleted', orgId: service.orgId, resource: 'service', resourceId: service.id, metadata: { slug: service.slug } });
    });
  }

  /**
   * Each side is loaded with the caller's own access check first (an invisible one is a 404 with
   * its code); only two objects the caller can see, but of different orgs, are a 400.
   */
  private async linkPair(caller: Caller, appId: string, serviceId: string, role: 'member' | 'admin') {
    const app = await loadApplication(this.db, caller, appId, role);
    const service = await loadOrgService(this.db, caller, serviceId, 'viewer');
    if (service.orgId !== app.orgId) {
      throw new HttpProblem('IDENTITY_CROSS_ORG_LINK', { detail: 'An application can only use services of its own organization' });
    }
    return { app, service };
  }

  async link(caller: Caller, appId: string, serviceId: string) {
    const { app, service } = await this.linkPair(caller, appId, serviceId, 'member');
    const created = await this.deps.database.transaction(async (tx) => {
      const made = await insertLink(tx, app.id, service.id);
      if (made) {
        await audit(tx, caller, { action: 'application.service_linked', orgId: app.orgId, resource: 'application', resourceId: app.id, metadata: { serviceId: service.id } });
      }
      return made;
    });
    return { created, link: { applicationId: app.id, serviceId: service.id } };
  }

  async unlink(caller: Caller, appId: string, serviceId: string): Promise<void> {
    const { app, service } = await this.linkPair(caller, appId, serviceId, 'admin');
    await this.deps.database.transaction(async (tx) => {
      if (!(await deleteLink(tx, app.id, service.id))) throw new HttpProblem('NOT_FOUND', { detail: 'That service is not linked to the application' });
      await audit(tx, caller, { action: 'application.service_unlinked', orgId: app.orgId, resource: 'application', resourceId: app.id, metadata: { serviceId: service.id } });
    });
  }
}
