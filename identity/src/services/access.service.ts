import type { Db } from '../db/client.js';
import { listUserOrgs, type Role } from '../db/repos/orgs.repo.js';
import { listActiveGrants } from '../db/repos/users.repo.js';
import { canonicalCapability, roleCapabilities } from './capability-catalog.js';

export interface OrgView {
  id: string;
  name: string;
  slug: string;
  role: Role;
  capabilities: string[];
}

export interface UserAccess {
  organizations: OrgView[];
  /** Global `cap:*` grants. */
  entitlements: string[];
  /** Global `role:*` grants. */
  roles: string[];
}

/**
 * Effective capabilities of a user per org (§2.2): implied by the org role, plus org grants in that
 * org, plus global capability grants. Expired grants are ignored. Two queries whatever the org count.
 */
export async function loadUserAccess(db: Db, userId: string, now = new Date()): Promise<UserAccess> {
  const [orgs, grants] = await Promise.all([listUserOrgs(db, userId), listActiveGrants(db, userId, now)]);
  const globalCaps = grants.filter((g) => g.orgId === null && g.key.startsWith('cap:')).map((g) => canonicalCapability(g.key));
  const roles = grants.filter((g) => g.orgId === null && g.key.startsWith('role:')).map((g) => g.key);
  const organizations = orgs.map((o) => {
    const orgCaps = grants.filter((g) => g.orgId === o.id).map((g) => canonicalCapability(g.key));
    const capabilities = [...new Set([...roleCapabilities(o.role), ...orgCaps, ...globalCaps])].sort();
    return { id: o.id, name: o.name, slug: o.slug, role: o.role, capabilities };
  });
  return { organizations, entitlements: [...new Set(globalCaps)].sort(), roles: [...new Set(roles)].sort() };
}
