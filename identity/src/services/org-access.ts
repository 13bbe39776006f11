import { HttpProblem } from '@symbia/http';
import type { Db } from '../db/client.js';
import { findMembership, findOrgById, type OrgRow, type Role } from '../db/repos/orgs.repo.js';
import type { Caller } from './caller.js';
import { atLeast } from './capability-catalog.js';
import { isUuid } from './ids.js';

export interface OrgAccess {
  org: OrgRow;
  /** The caller's role there; super admins without membership count as admin. */
  role: Role;
  superAdmin: boolean;
}

/**
 * The `org:viewer|member|admin` rule of the outline's notation: a non-member (or an API key bound
 * elsewhere, or an agent of another org) sees the org as missing (404); a member below the needed
 * role gets 403 with `requiredRole`. Super admins pass.
 */
export async function requireOrgRole(db: Db, caller: Caller, orgId: string, needed: Role, notFound = 'IDENTITY_ORG_NOT_FOUND'): Promise<OrgAccess> {
  const p = caller.principal;
  if (!p) throw new HttpProblem('AUTH_REQUIRED');
  const org = isUuid(orgId) ? await findOrgById(db, orgId) : undefined;
  if (!org) throw new HttpProblem(notFound);
  if (p.type === 'user' && p.isSuperAdmin) {
    const m = await findMembership(db, orgId, p.id);
    if (!m) caller.crossings?.push(orgId);
    return { org, role: m?.role ?? 'admin', superAdmin: true };
  }
  if (p.type === 'agent') {
    if (p.organizations.some((o) => o.id === orgId)) {
      throw new HttpProblem('IDENTITY_ORG_ROLE_REQUIRED', { detail: 'Agents hold no role here', extensions: { requiredRole: needed } });
    }
    throw new HttpProblem(notFound);
  }
  if (p.type === 'api_key' && p.boundOrgId && p.boundOrgId !== orgId) throw new HttpProblem(notFound);
  // §2.2 maps scopes to other services' capabilities only; changing identity's own objects through
  // a key needs the key's full delegation (`*`), so a narrow ingest key cannot rename or delete an org.
  if (p.type === 'api_key' && needed !== 'viewer' && !p.scopes.includes('*')) {
    throw new HttpProblem('AUTH_SCOPE_INSUFFICIENT', { detail: 'Managing identity objects with an API key needs the * scope', extensions: { requiredScope: '*' } });
  }
  if (p.type !== 'user' && p.type !== 'api_key') throw new HttpProblem(notFound);
  const membership = await findMembership(db, orgId, p.id);
  if (!membership) throw new HttpProblem(notFound);
  if (!atLeast(membership.role, needed)) {
    throw new HttpProblem('IDENTITY_ORG_ROLE_REQUIRED', { detail: `Requires the ${needed} role in this organization`, extensions: { requiredRole: needed } });
  }
  return { org, role: membership.role, superAdmin: false };
}

/** For `selectOrg`: services and super admins may name any org that exists. */
export async function orgExists(db: Db, orgId: string): Promise<boolean> {
  return isUuid(orgId) && (await findOrgById(db, orgId)) !== undefined;
}
