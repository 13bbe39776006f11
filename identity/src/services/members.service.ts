import { HttpProblem, type CursorCodec } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import {
  countAdmins,
  deleteMembership,
  findMembershipByIdOrUser,
  insertMembership,
  listMembers,
  updateMembershipRole,
  type MembershipRow,
  type Role,
} from '../db/repos/orgs.repo.js';
import { deleteGrant, deleteOrgGrants, findUserByEmail, listGrants, upsertGrant } from '../db/repos/users.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import { canonicalCapability, isGrantableByAdmin } from './capability-catalog.js';
import type { IdentityDeps } from './deps.js';
import { isUuid } from './ids.js';
import { requireOrgRole } from './org-access.js';
import { memberView } from './orgs.service.js';

function membershipView(m: MembershipRow) {
  return { id: m.id, orgId: m.orgId, userId: m.userId, role: m.role, joinedAt: m.joinedAt.toISOString() };
}

export class MembersService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  private async member(orgId: string, memberId: string): Promise<MembershipRow> {
    const m = isUuid(memberId) ? await findMembershipByIdOrUser(this.db, orgId, memberId) : undefined;
    if (!m) throw new HttpProblem('IDENTITY_MEMBER_NOT_FOUND');
    return m;
  }

  async list(caller: Caller, orgId: string, query: { limit: number; cursor?: string }) {
    await requireOrgRole(this.db, caller, orgId, 'viewer');
    const queryKey = `members:${orgId}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    const rows = await listMembers(this.db, orgId, { limit: query.limit + 1, after });
    const page = this.cursors.page(
      queryKey,
      rows.map((r) => ({ ...r, createdAt: r.membership.joinedAt, id: r.membership.id })),
      query.limit,
    );
    return { members: page.items.map(memberView), nextCursor: page.nextCursor };
  }

  async invite(caller: Caller, orgId: string, input: { email: string; role: Role }) {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    const user = await findUserByEmail(this.db, input.email);
    if (!user) throw new HttpProblem('IDENTITY_USER_NOT_FOUND', { detail: 'No registered user has that email' });
    const row = await this.deps.database.transaction(async (tx) => {
      let m: MembershipRow;
      try {
        m = await insertMembership(tx, { orgId, userId: user.id, role: input.role });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_MEMBER_EXISTS', { detail: 'That user is already a member' });
        throw err;
      }
      await audit(tx, caller, { action: 'member.invited', orgId, resource: 'membership', resourceId: m.id, metadata: { userId: user.id, role: input.role } });
      return m;
    });
    this.deps.events.publish('identity.membership.changed', { orgId, userId: user.id, role: input.role });
    return membershipView(row);
  }

  /** Demoting the only admin would leave an org nobody can manage: refused with 409. */
  async changeRole(caller: Caller, orgId: string, memberId: string, role: Role) {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    const m = await this.member(orgId, memberId);
    const row = await this.deps.database.transaction(async (tx) => {
      if (m.role === 'admin' && role !== 'admin' && (await countAdmins(tx, orgId)) <= 1) {
        throw new HttpProblem('IDENTITY_LAST_ADMIN', { detail: 'An organization needs at least one admin' });
      }
      const updated = await updateMembershipRole(tx, m.id, role);
      await audit(tx, caller, { action: 'member.role_changed', orgId, resource: 'membership', resourceId: m.id, metadata: { userId: m.userId, from: m.role, to: role } });
      return updated!;
    });
    this.deps.events.publish('identity.membership.changed', { orgId, userId: m.userId, role });
    return membershipView(row);
  }

  async remove(caller: Caller, orgId: string, memberId: string): Promise<void> {
    const self = caller.principal?.type === 'user' ? caller.principal.id : undefined;
    const m0 = isUuid(memberId) ? await findMembershipByIdOrUser(this.db, orgId, memberId) : undefined;
    // Members may always leave; removing someone else needs the admin role.
    if (!(m0 && self && m0.userId === self)) await requireOrgRole(this.db, caller, orgId, 'admin');
    const m = await this.member(orgId, memberId);
    await this.deps.database.transaction(async (tx) => {
      if (m.role === 'admin' && (await countAdmins(tx, orgId)) <= 1) {
        throw new HttpProblem('IDENTITY_LAST_ADMIN', { detail: 'An organization needs at least one admin' });
      }
      await deleteMembership(tx, m.id);
      await deleteOrgGrants(tx, orgId, m.userId);
      await audit(tx, caller, { action: 'member.removed', orgId, resource: 'membership', resourceId: m.id, metadata: { userId: m.userId } });
    });
    this.deps.events.publish('identity.membership.changed', { orgId, userId: m.userId, role: null });
  }

  async listGrants(caller: Caller, orgId: string, memberId: string) {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    const m = await this.member(orgId, memberId);
    const rows = await listGrants(this.db, m.userId, orgId);
    return {
      entitlements: rows.map((g) => ({ key: g.key, expiresAt: g.expiresAt?.toISOString() ?? null, grantedBy: g.grantedBy, createdAt: g.createdAt.toISOString() })),
    };
  }

  async grant(caller: Caller, orgId: string, memberId: string, input: { key: string; expiresAt?: Date }) {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    const m = await this.member(orgId, memberId);
    const key = canonicalCapability(input.key);
    if (!isGrantableByAdmin(key)) {
      throw new HttpProblem('IDENTITY_CAPABILITY_NOT_GRANTABLE', { detail: `${key} cannot be granted by an org admin` });
    }
    const result = await this.deps.database.transaction(async (tx) => {
      const r = await upsertGrant(tx, { userId: m.userId, orgId, key, expiresAt: input.expiresAt ?? null, grantedBy: caller.principal?.id ?? null });
      if (r.created) await audit(tx, caller, { action: 'entitlement.granted', orgId, resource: 'membership', resourceId: m.id, metadata: { key, userId: m.userId } });
      return r;
    });
    if (result.created) this.deps.events.publish('identity.membership.changed', { orgId, userId: m.userId, role: m.role });
    const g = result.row;
    return { created: result.created, grant: { key: g.key, expiresAt: g.expiresAt?.toISOString() ?? null, grantedBy: g.grantedBy, createdAt: g.createdAt.toISOString() } };
  }

  async revokeGrant(caller: Caller, orgId: string, memberId: string, key: string): Promise<void> {
    await requireOrgRole(this.db, caller, orgId, 'admin');
    const m = await this.member(orgId, memberId);
    const canonical = canonicalCapability(key);
    const removed = await this.deps.database.transaction(async (tx) => {
      const ok = await deleteGrant(tx, m.userId, orgId, canonical);
      if (ok) await audit(tx, caller, { action: 'entitlement.revoked', orgId, resource: 'membership', resourceId: m.id, metadata: { key: canonical, userId: m.userId } });
      return ok;
    });
    if (!removed) throw new HttpProblem('NOT_FOUND', { detail: 'No such grant' });
    this.deps.events.publish('identity.membership.changed', { orgId, userId: m.userId, role: m.role });
  }
}
