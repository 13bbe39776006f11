import { HttpProblem, type CursorCodec } from '@symbia/http';
import { listProjectApplications, listProjectServices } from '../db/repos/applications.repo.js';
import { listScopedEntitlements } from '../db/repos/entitlements.repo.js';
import {
  deleteProjectCascade,
  insertProject,
  listOrgProjects,
  updateProject,
  type ProjectInsert,
  type ProjectRow,
} from '../db/repos/projects.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { requireOrgRole } from './org-access.js';
import { applicationView, entitlementView, loadProject, orgServiceView, projectView, slugTaken } from './resource-access.js';

export interface ProjectInput {
  name: string;
  slug: string;
  description?: string | null;
}

export interface ProjectPatch extends Partial<ProjectInput> {
  status?: ProjectRow['status'];
}

/** Projects of an org (outline §2.6): read = viewer, create/update = member, delete = admin. */
export class ProjectsService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  async list(caller: Caller, orgId: string, query: { limit: number; cursor?: string }) {
    await requireOrgRole(this.db, caller, orgId, 'viewer');
    const queryKey = `projects:${orgId}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    const page = this.cursors.page(queryKey, await listOrgProjects(this.db, orgId, query.limit + 1, after), query.limit);
    return { projects: page.items.map(projectView), nextCursor: page.nextCursor };
  }

  async create(caller: Caller, orgId: string, input: ProjectInput) {
    await requireOrgRole(this.db, caller, orgId, 'member');
    const row = await this.deps.database.transaction(async (tx) => {
      let created: ProjectRow;
      try {
        created = await insertProject(tx, { orgId, name: input.name, slug: input.slug, description: input.description ?? null });
      } catch (err) {
        slugTaken(err, input.slug);
      }
      await audit(tx, caller, { action: 'project.created', orgId, resource: 'project', resourceId: created.id, metadata: { slug: created.slug } });
      return created;
    });
    return projectView(row);
  }

  /** The project with its applications, services and the entitlements scoped to it. */
  async get(caller: Caller, projectId: string) {
    const project = await loadProject(this.db, caller, projectId, 'viewer');
    const [apps, services, entitlements] = await Promise.all([
      listProjectApplications(this.db, project.id),
      listProjectServices(this.db, project.id),
      listScopedEntitlements(this.db, 'project', project.id),
    ]);
    return {
      project: projectView(project),
      applications: apps.map(applicationView),
      services: services.map(orgServiceView),
      entitlements: entitlements.map(entitlementView),
    };
  }

  async update(caller: Caller, projectId: string, patch: ProjectPatch) {
    const project = await loadProject(this.db, caller, projectId, 'member');
    const row = await this.deps.database.transaction(async (tx) => {
      let updated: ProjectRow | undefined;
      try {
        updated = await updateProject(tx, project.id, patch satisfies Partial<ProjectInsert>);
      } catch (err) {
        slugTaken(err, patch.slug);
      }
      if (!updated) throw new HttpProblem('IDENTITY_PROJECT_NOT_FOUND');
      await audit(tx, caller, { action: 'project.updated', orgId: project.orgId, resource: 'project', resourceId: project.id, metadata: { fields: Object.keys(patch) } });
      return updated;
    });
    return projectView(row);
  }

  /** Applications, services, their links and every entitlement scoped to any of them go too. */
  async remove(caller: Caller, projectId: string): Promise<void> {
    const project = await loadProject(this.db, caller, projectId, 'admin');
    await this.deps.database.transaction(async (tx) => {
      await deleteProjectCascade(tx, project.id);
      await audit(tx, caller, { action: 'project.deleted', orgId: project.orgId, resource: 'project', resourceId: project.id, metadata: { slug: project.slug } });
    });
  }
}
