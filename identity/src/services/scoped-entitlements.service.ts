import { HttpProblem } from '@symbia/http';
import {
  consumeScopedEntitlement,
  deleteScopedEntitlement,
  findScopedEntitlementById,
  insertScopedEntitlement,
  listScopedEntitlements,
  updateScopedEntitlement,
  type ScopedEntitlementRow,
  type ScopeType,
} from '../db/repos/entitlements.repo.js';
import type { Role } from '../db/repos/orgs.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { isUuid } from './ids.js';
import { requireOrgRole } from './org-access.js';
import { entitlementView, scopeOrg } from './resource-access.js';

export interface ScopedEntitlementInput {
  scopeType: ScopeType;
  scopeId: string;
  featureKey: string;
  quota?: number | null;
  enabled?: boolean;
  expiresAt?: Date;
}

export interface ScopedEntitlementPatch {
  quota?: number | null;
  enabled?: boolean;
  expiresAt?: Date | null;
}

/** Why a consume was refused, read after the conditional UPDATE matched nothing. */
function refusal(row: ScopedEntitlementRow, amount: number, now: Date): HttpProblem {
  const facts = { consumed: row.consumed, quota: row.quota, remaining: row.quota === null ? null : Math.max(0, row.quota - row.consumed) };
  if (!row.enabled) return new HttpProblem('IDENTITY_QUOTA_EXCEEDED', { detail: 'The entitlement is disabled', extensions: { ...facts, reason: 'disabled' } });
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    return new HttpProblem('IDENTITY_QUOTA_EXCEEDED', { detail: `The entitlement expired at ${row.expiresAt.toISOString()}`, extensions: { ...facts, reason: 'expired' } });
  }
  return new HttpProblem('IDENTITY_QUOTA_EXCEEDED', {
    detail: `Consuming ${amount} would exceed the quota (${facts.remaining ?? 'unlimited'} remaining); nothing was consumed`,
    extensions: { ...facts, reason: 'quota' },
  });
}

/**
 * Feature entitlements scoped to an org, project, application or service (outline §2.6). Reading
 * follows the scope's org (viewer); managing them is an org admin's; consuming is for services,
 * which meter usage on behalf of the org.
 */
export class ScopedEntitlementsService {
  constructor(private readonly deps: IdentityDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /** Another org's entitlement is as missing as an unknown id. */
  private async load(caller: Caller, id: string, role: Role): Promise<ScopedEntitlementRow> {
    const row = isUuid(id) ? await findScopedEntitlementById(this.db, id) : undefined;
    if (!row) throw new HttpProblem('NOT_FOUND', { detail: 'No such scoped entitlement' });
    await requireOrgRole(this.db, caller, row.orgId, role, 'NOT_FOUND');
    return row;
  }

  async list(caller: Caller, scopeType: ScopeType, scopeId: string) {
    await scopeOrg(this.db, caller, scopeType, scopeId, 'viewer');
    const rows = await listScopedEntitlements(this.db, scopeType, scopeId);
    return { entitlements: rows.map(entitlementView) };
  }

  async create(caller: Caller, input: ScopedEntitlementInput) {
    const orgId = await scopeOrg(this.db, caller, input.scopeType, input.scopeId, 'admin');
    const row = await this.deps.database.transaction(async (tx) => {
      const created = await insertScopedEntitlement(tx, {
        orgId,
        scopeType: input.scopeType,
        scopeId: input.scopeId,
        featureKey: input.featureKey,
        quota: input.quota ?? null,
        enabled: input.enabled ?? true,
        expiresAt: input.expiresAt ?? null,
      });
      await audit(tx, caller, {
        action: 'scoped_entitlement.created',
        orgId,
        resource: 'scoped_entitlement',
        resourceId: created.id,
        metadata: { scopeType: input.scopeType, scopeId: input.scopeId, featureKey: input.featureKey, quota: created.quota },
      });
      return created;
    });
    return entitlementView(row);
  }

  async update(caller: Caller, id: string, patch: ScopedEntitlementPatch) {
    const existing = await this.load(caller, id, 'admin');
    const row = await this.deps.database.transaction(async (tx) => {
      const updated = await updateScopedEntitlement(tx, existing.id, patch);
      if (!updated) throw new HttpProblem('NOT_FOUND', { detail: 'No such scoped entitlement' });
      await audit(tx, caller, { action: 'scoped_entitlement.updated', orgId: existing.orgId, resource: 'scoped_entitlement', resourceId: existing.id, metadata: { fields: Object.keys(patch) } });
      return updated;
    });
    return entitlementView(row);
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const existing = await this.load(caller, id, 'admin');
    await this.deps.database.transaction(async (tx) => {
      await deleteScopedEntitlement(tx, existing.id);
      await audit(tx, caller, { action: 'scoped_entitlement.deleted', orgId: existing.orgId, resource: 'scoped_entitlement', resourceId: existing.id, metadata: { featureKey: existing.featureKey } });
    });
  }

  /** Services only (the route's guard): the whole check-and-add is the repository's one UPDATE. */
  async consume(caller: Caller, id: string, amount: number) {
    const row = await this.deps.database.transaction(async (tx) => {
      const updated = await consumeScopedEntitlement(tx, id, amount);
      if (!updated) {
        const current = await findScopedEntitlementById(tx, id);
        if (!current) throw new HttpProblem('NOT_FOUND', { detail: 'No such scoped entitlement' });
        throw refusal(current, amount, new Date());
      }
      await audit(tx, caller, {
        action: 'scoped_entitlement.consumed',
        orgId: updated.orgId,
        resource: 'scoped_entitlement',
        resourceId: updated.id,
        metadata: { featureKey: updated.featureKey, amount, consumed: updated.consumed },
      });
      return updated;
    });
    return { consumed: row.consumed, quota: row.quota, remaining: row.quota === null ? null : Math.max(0, row.quota - row.consumed) };
  }
}
