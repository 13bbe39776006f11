import { HttpProblem, type CursorCodec } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import { countOrgs, findOrgById, findPlanById, insertPlan, listAllOrgs, listPlans, memberCounts, updateOrg, updatePlan, type OrgRow } from '../db/repos/orgs.repo.js';
import { countAgents } from '../db/repos/principals.repo.js';
import { countProjectsByOrg } from '../db/repos/projects.repo.js';
import { listOutbox } from '../db/repos/resets.repo.js';
import { countUsers, deleteGrant, deleteUser, findUserById, listGrants, listUsers, updateUser, upsertGrant } from '../db/repos/users.repo.js';
import { audit, queryAuditLogs, type AuditQueryInput } from './audit.service.js';
import type { Caller } from './caller.js';
import { canonicalCapability } from './capability-catalog.js';
import type { IdentityDeps } from './deps.js';
import { isUuid } from './ids.js';
import { orgView, planView } from './orgs.service.js';
import { revocationInstant } from './user-auth.service.js';
import { userDetailView } from './views.js';

/** Super-admin operations (§2.10); the route layer has already checked the caller is SA. */
export class AdminService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  private async user(id: string) {
    const u = isUuid(id) ? await findUserById(this.db, id) : undefined;
    if (!u) throw new HttpProblem('IDENTITY_USER_NOT_FOUND');
    return u;
  }

  async auditLogs(q: AuditQueryInput) {
    return queryAuditLogs(this.db, this.cursors, q, 'admin');
  }

  async listUsers(q: { q?: string; limit: number; cursor?: string }) {
    const queryKey = `admin-users:${q.q ?? ''}`;
    const after = q.cursor ? this.cursors.decode(queryKey, q.cursor) : undefined;
    const page = this.cursors.page(queryKey, await listUsers(this.db, { q: q.q, limit: q.limit + 1, after }), q.limit);
    return { users: page.items.map((u) => { const { updatedAt: _u, ...v } = userDetailView(u); return v; }), nextCursor: page.nextCursor };
  }

  async updateUser(caller: Caller, id: string, patch: { name?: string; email?: string; isSuperAdmin?: boolean; isActive?: boolean }) {
    const target = await this.user(id);
    const self = caller.principal?.id === id;
    if (self && (patch.isSuperAdmin === false || patch.isActive === false)) {
      throw new HttpProblem('IDENTITY_SELF_MODIFICATION', { detail: 'You cannot demote or disable yourself' });
    }
    const disabling = patch.isActive === false && target.isActive;
    const row = await this.deps.database.transaction(async (tx) => {
      try {
        const u = await updateUser(tx, id, { ...patch, ...(disabling ? { tokensValidAfter: revocationInstant() } : {}) });
        await audit(tx, caller, { action: 'admin.user_updated', resource: 'user', resourceId: id, metadata: { fields: Object.keys(patch) } });
        return u!;
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_EMAIL_TAKEN');
        throw err;
      }
    });
    if (disabling) this.deps.events.publish('identity.user.sessionsRevoked', { userId: id, notBefore: row.tokensValidAfter?.toISOString() });
    return userDetailView(row);
  }

  async deleteUser(caller: Caller, id: string) {
    await this.user(id);
    if (caller.principal?.id === id) throw new HttpProblem('IDENTITY_SELF_MODIFICATION', { detail: 'You cannot delete yourself' });
    await this.deps.database.transaction(async (tx) => {
      await deleteUser(tx, id);
      await audit(tx, caller, { action: 'admin.user_deleted', resource: 'user', resourceId: id });
    });
    this.deps.events.publish('identity.user.sessionsRevoked', { userId: id, notBefore: new Date().toISOString() });
  }

  async revokeSessions(caller: Caller, id: string) {
    await this.user(id);
    const notBefore = revocationInstant();
    await this.deps.database.transaction(async (tx) => {
      await updateUser(tx, id, { tokensValidAfter: notBefore });
      await audit(tx, caller, { action: 'user.sessions_revoked', resource: 'user', resourceId: id });
    });
    this.deps.events.publish('identity.user.sessionsRevoked', { userId: id, notBefore: notBefore.toISOString() });
  }

  /** Global grants: `cap:*` entitlements or `role:*` platform roles, by `kind`. */
  async listGlobalGrants(id: string, kind: 'cap' | 'role') {
    await this.user(id);
    const rows = (await listGrants(this.db, id, null)).filter((g) => g.key.startsWith(`${kind}:`));
    return rows.map((g) => ({ key: g.key, expiresAt: g.expiresAt?.toISOString() ?? null, grantedBy: g.grantedBy, createdAt: g.createdAt.toISOString() }));
  }

  async grantGlobal(caller: Caller, id: string, input: { key: string; expiresAt?: Date }) {
    await this.user(id);
    const key = input.key.startsWith('cap:') ? canonicalCapability(input.key) : input.key;
    const kind = key.startsWith('cap:') ? 'entitlement' : 'role';
    const result = await this.deps.database.transaction(async (tx) => {
      const r = await upsertGrant(tx, { userId: id, orgId: null, key, expiresAt: input.expiresAt ?? null, grantedBy: caller.principal?.id ?? null });
      if (r.created) await audit(tx, caller, { action: `${kind}.granted`, resource: 'user', resourceId: id, metadata: { key } });
      return r;
    });
    if (result.created) this.deps.events.publish('identity.user.sessionsRevoked', { userId: id, notBefore: null });
    const g = result.row;
    return { created: result.created, grant: { key: g.key, expiresAt: g.expiresAt?.toISOString() ?? null, grantedBy: g.grantedBy, createdAt: g.createdAt.toISOString() } };
  }

  async revokeGlobal(caller: Caller, id: string, key: string) {
    await this.user(id);
    const kind = key.startsWith('cap:') ? 'entitlement' : 'role';
    const removed = await this.deps.database.transaction(async (tx) => {
      const ok = await deleteGrant(tx, id, null, key.startsWith('cap:') ? canonicalCapability(key) : key);
      if (ok) await audit(tx, caller, { action: `${kind}.revoked`, resource: 'user', resourceId: id, metadata: { key } });
      return ok;
    });
    if (!removed) throw new HttpProblem('NOT_FOUND', { detail: 'No such grant' });
  }

  async listOrgs(q: { limit: number; cursor?: string }) {
    const queryKey = 'admin-orgs';
    const after = q.cursor ? this.cursors.decode(queryKey, q.cursor) : undefined;
    const page = this.cursors.page(queryKey, await listAllOrgs(this.db, q.limit + 1, after), q.limit);
    const counts = await memberCounts(this.db, page.items.map((o) => o.id));
    const projects = await this.projectCounts(page.items);
    return {
      organizations: page.items.map((o) => ({ ...orgView(o), memberCount: counts.get(o.id) ?? 0, projectCount: projects.get(o.id) ?? 0 })),
      nextCursor: page.nextCursor,
    };
  }

  private async projectCounts(orgs: OrgRow[]): Promise<Map<string, number>> {
    return countProjectsByOrg(this.db, orgs.map((o) => o.id));
  }

  async updateOrg(caller: Caller, id: string, patch: { name?: string; slug?: string; planId?: string }) {
    const org = isUuid(id) ? await findOrgById(this.db, id) : undefined;
    if (!org) throw new HttpProblem('IDENTITY_ORG_NOT_FOUND');
    if (patch.planId && !(await findPlanById(this.db, patch.planId))) throw new HttpProblem('IDENTITY_PLAN_NOT_FOUND');
    const row = await this.deps.database.transaction(async (tx) => {
      try {
        const o = await updateOrg(tx, id, patch);
        await audit(tx, caller, { action: 'org.updated', orgId: id, resource: 'org', resourceId: id, metadata: { fields: Object.keys(patch), by: 'admin' } });
        return o!;
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_ORG_SLUG_TAKEN');
        throw err;
      }
    });
    return orgView(row);
  }

  async plans() {
    return { plans: (await listPlans(this.db)).map(planView) };
  }

  async createPlan(caller: Caller, input: { name: string; features: string[]; limits: Record<string, number>; priceCents: number }) {
    const row = await this.deps.database.transaction(async (tx) => {
      try {
        const p = await insertPlan(tx, input);
        await audit(tx, caller, { action: 'plan.created', resource: 'plan', resourceId: p.id, metadata: { name: p.name } });
        return p;
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_PLAN_NAME_TAKEN');
        throw err;
      }
    });
    return planView(row);
  }

  async updatePlan(caller: Caller, id: string, patch: { name?: string; features?: string[]; limits?: Record<string, number>; priceCents?: number }) {
    if (!isUuid(id) || !(await findPlanById(this.db, id))) throw new HttpProblem('IDENTITY_PLAN_NOT_FOUND');
    const row = await this.deps.database.transaction(async (tx) => {
      try {
        const p = await updatePlan(tx, id, patch);
        await audit(tx, caller, { action: 'plan.updated', resource: 'plan', resourceId: id, metadata: { fields: Object.keys(patch) } });
        return p!;
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_PLAN_NAME_TAKEN');
        throw err;
      }
    });
    return planView(row);
  }

  async stats() {
    const [totalUsers, totalOrgs, totalAgents] = await Promise.all([countUsers(this.db), countOrgs(this.db), countAgents(this.db)]);
    return { totalUsers, totalOrgs, totalAgents };
  }

  async outbox() {
    const rows = await listOutbox(this.db);
    return { messages: rows.map((m) => ({ to: m.to, subject: m.subject, body: m.body, createdAt: m.createdAt.toISOString() })) };
  }
}
