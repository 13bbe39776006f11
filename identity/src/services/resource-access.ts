import { HttpProblem } from '@symbia/http';
import { isUniqueViolation, type Db } from '../db/client.js';
import { findApplicationById, findOrgServiceById, type ApplicationRow, type OrgServiceRow } from '../db/repos/applications.repo.js';
import type { ScopedEntitlementRow, ScopeType } from '../db/repos/entitlements.repo.js';
import type { Role } from '../db/repos/orgs.repo.js';
import { findProjectById, type ProjectRow } from '../db/repos/projects.repo.js';
import type { Caller } from './caller.js';
import { isUuid } from './ids.js';
import { requireOrgRole } from './org-access.js';

/**
 * Loading an org-owned resource and checking the caller's role in its org are one step, so no
 * code path can return a row before the tenant check. A row of an org the caller cannot see
 * answers the row's own not-found code, exactly as a missing one.
 */
async function loadOwned<T extends { orgId: string }>(
  db: Db,
  caller: Caller,
  id: string,
  role: Role,
  code: string,
  find: (db: Db, id: string) => Promise<T | undefined>,
): Promise<T> {
  const row = isUuid(id) ? await find(db, id) : undefined;
  if (!row) throw new HttpProblem(code);
  await requireOrgRole(db, caller, row.orgId, role, code);
  return row;
}

export const loadProject = (db: Db, caller: Caller, id: string, role: Role): Promise<ProjectRow> =>
  loadOwned(db, caller, id, role, 'IDENTITY_PROJECT_NOT_FOUND', findProjectById);

export const loadApplication = (db: Db, caller: Caller, id: string, role: Role): Promise<ApplicationRow> =>
  loadOwned(db, caller, id, role, 'IDENTITY_APPLICATION_NOT_FOUND', findApplicationById);

export const loadOrgService = (db: Db, caller: Caller, id: string, role: Role): Promise<OrgServiceRow> =>
  loadOwned(db, caller, id, role, 'IDENTITY_SERVICE_NOT_FOUND', findOrgServiceById);

/** The org that owns a scope, with the caller's role there checked; 404 with the scope's own code. */
export async function scopeOrg(db: Db, caller: Caller, scopeType: ScopeType, scopeId: string, role: Role): Promise<string> {
  switch (scopeType) {
    case 'org':
      return (await requireOrgRole(db, caller, scopeId, role)).org.id;
    case 'project':
      return (await loadProject(db, caller, scopeId, role)).orgId;
    case 'application':
      return (await loadApplication(db, caller, scopeId, role)).orgId;
    case 'service':
      return (await loadOrgService(db, caller, scopeId, role)).orgId;
  }
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function projectView(p: ProjectRow) {
  return {
    id: p.id,
    orgId: p.orgId,
    name: p.name,
    slug: p.slug,
    description: p.description,
    status: p.status,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function applicationView(a: ApplicationRow) {
  return {
    id: a.id,
    orgId: a.orgId,
    projectId: a.projectId,
    name: a.name,
    slug: a.slug,
    environment: a.environment,
    appType: a.appType,
    repoUrl: a.repoUrl,
    metadata: a.metadata,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function orgServiceView(s: OrgServiceRow) {
  return {
    id: s.id,
    orgId: s.orgId,
    projectId: s.projectId,
    name: s.name,
    slug: s.slug,
    serviceType: s.serviceType,
    provider: s.provider,
    endpointUrl: s.endpointUrl,
    externalId: s.externalId,
    status: s.status,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function entitlementView(e: ScopedEntitlementRow) {
  return {
    id: e.id,
    orgId: e.orgId,
    scopeType: e.scopeType,
    scopeId: e.scopeId,
    featureKey: e.featureKey,
    quota: e.quota,
    consumed: e.consumed,
    enabled: e.enabled,
    expiresAt: iso(e.expiresAt),
  };
}

/** A unique violation on a child's slug becomes the outline's 409; anything else propagates. */
export function slugTaken(err: unknown, slug: string | undefined): never {
  if (isUniqueViolation(err)) {
    throw new HttpProblem('IDENTITY_SLUG_TAKEN', { detail: `The slug "${slug ?? ''}" is already used here` });
  }
  throw err;
}
