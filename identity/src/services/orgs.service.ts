import { HttpProblem, type CursorCodec } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import {
  deleteOrg,
  findPlanById,
  listMembers,
  listUserOrgs,
  memberCounts,
  updateOrg,
  type OrgRow,
  type PlanRow,
} from '../db/repos/orgs.repo.js';
import { deleteOrgGrants } from '../db/repos/users.repo.js';
import { audit, queryAuditLogs, type AuditQueryInput } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { requireOrgRole } from './org-access.js';
import { createOrgWithAdmin } from './orgs-create.js';

export function orgView(o: OrgRow) {
  return { id: o.id, name: o.name, slug: o.slug, planId: o.planId, createdAt: o.createdAt.toISOString() };
}

export function planView(p: PlanRow) {
  return { id: p.id, name: p.name, features: p.features, limits: p.limits, priceCents: p.priceCents };
}

export function memberView(m: { membership: { id: string; userId: string; role: string; joinedAt: Date }; user: { id: string; email: string; name: string } }) {
  return { id: m.membership.id, userId: m.membership.userId, role: m.membership.role, joinedAt: m.membership.joinedAt.toISOString(), user: m.user };
}

/** Plan features as the org's entitlements (`GET /api/entitlements/:orgId`). */
function planEntitlements(plan: PlanRow | undefined) {
  return (plan?.features ?? []).map((featureKey) => ({ featureKey, enabled: true, expiresAt: null }));
}

export class OrgsService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * The caller's orgs, newest first (only `onlyOrgId` for an API key bound to it); the membership
   * count is one grouped query for the page.
   */
  async listForUser(userId: string, query: { limit: number; cursor?: string }, onlyOrgId?: string) {
    const queryKey = `orgs:${userId}:${onlyOrgId ?? ''}`;
    const all = (await listUserOrgs(this.db, userId)).filter((o) => !onlyOrgId || o.id === onlyOrgId);
    let start = 0;
    if (query.cursor) {
      const after = this.cursors.decode(queryKey, query.cursor);
      start = all.findIndex((o) => o.createdAt.getTime() < after.createdAt.getTime() || (o.createdAt.getTime() === after.createdAt.getTime() && o.id < after.id));
      if (start === -1) start = all.length;
    }
    const page = this.cursors.page(queryKey, all.slice(start, start + query.limit + 1), query.limit);
    const counts = await memberCounts(this.db, page.items.map((o) => o.id));
    return {
      organizations: page.items.map((o) => ({ id: o.id, name: o.name, slug: o.slug, role: o.role, memberCount: counts.get(o.id) ?? 0, planId: o.planId, createdAt: o.createdAt.toISOString() })),
      nextCursor: page.nextCursor,
    };
  }

  async create(caller: Caller, input: { name: string; slug: string }) {
    const userId = caller.principal!.id;
    const org = await this.deps.database.transaction(async (tx) => {
      const created = await createOrgWithAdmin(tx, { ...input, adminUserId: userId, defaultPlan: this.deps.config.defaultPlan });
      await audit(tx, caller, { action: 'org.created', orgId: created.id, resource: 'org', resourceId: created.id, metadata: { slug: created.slug } });
      return created;
    });
    return orgView(org);
  }

  async get(caller: Caller, orgId: string) {
    const { org } = await requireOrgRole(this.db, caller, orgId, 'viewer');
    const plan = org.planId ? await findPlanById(this.db, org.planId) : undefined;
    const members = await listMembers(this.db, org.id, { limit: 200 });
    return {
      organization: { ...orgView(org), plan: plan ? { id: plan.id, name: plan.name, features: plan.features, limits: plan.limits } : null },
      members: members.map(memberView),
      entitlements: planEntitlements(plan),
    };
  }

  async update(caller: Caller, orgId: string, patch: { name?: string; slug?: string }) {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    const org = await this.deps.database.transaction(async (tx) => {
      let row: OrgRow | undefined;
      try {
        row = await updateOrg(tx, orgId, patch);
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_ORG_SLUG_TAKEN', { detail: `The slug "${patch.slug}" is taken` });
        throw err;
      }
      await audit(tx, caller, { action: 'org.updated', orgId, resource: 'org', resourceId: orgId, metadata: { fields: Object.keys(patch) } });
      return row!;
    });
    return orgView(org);
  }

  /** Cascades through foreign keys: memberships, projects, agents, org-bound keys, credentials. */
  async remove(caller: Caller, orgId: string, confirm: string): Promise<void> {
    const { org } = await requireOrgRole(this.db, caller, orgId, 'admin');
    if (confirm !== org.slug) throw new HttpProblem('IDENTITY_CONFIRMATION_MISMATCH', { detail: "Send the org's slug as `confirm`" });
    await this.deps.database.transaction(async (tx) => {
      await deleteOrg(tx, orgId);
      await deleteOrgGrants(tx, orgId);
      await audit(tx, caller, { action: 'org.deleted', orgId, resource: 'org', resourceId: orgId, metadata: { slug: org.slug } });
    });
    this.deps.events.publish('identity.org.deleted', { orgId });
  }

  /** SA deletion: no confirmation, same cascade and event. */
  async removeAsAdmin(caller: Caller, orgId: string): Promise<void> {
    const { org } = await requireOrgRole(this.db, caller, orgId, 'admin');
    await this.remove(caller, orgId, org.slug);
  }

  async auditLogs(caller: Caller, orgId: string, q: Omit<AuditQueryInput, 'orgId'>) {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    return queryAuditLogs(this.db, this.cursors, { ...q, orgId }, 'org');
  }

  async entitlements(caller: Caller, orgId: string) {
    const { org } = await requireOrgRole(this.db, caller, orgId, 'viewer');
    const plan = org.planId ? await findPlanById(this.db, org.planId) : undefined;
    return { entitlements: planEntitlements(plan) };
  }

  async license(caller: Caller, orgId: string) {
    const { org } = await requireOrgRole(this.db, caller, orgId, 'viewer');
    const plan = org.planId ? await findPlanById(this.db, org.planId) : undefined;
    return {
      organization: { id: org.id, name: org.name, slug: org.slug },
      plan: plan ? { id: plan.id, name: plan.name } : null,
      features: plan?.features ?? [],
      limits: plan?.limits ?? {},
      status: 'active' as const,
    };
  }
}
