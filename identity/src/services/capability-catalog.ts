import type { Role } from '../db/repos/orgs.repo.js';

const VIEWER = [
  'cap:catalog.read', 'cap:messaging.read', 'cap:network.topology.read', 'cap:network.events.read', 'cap:network.traces.read',
  'cap:network.policies.read', 'cap:logging.read', 'cap:runtime.read', 'cap:assistants.read', 'cap:integrations.read',
];
const MEMBER = [
  'cap:catalog.write', 'cap:messaging.write', 'cap:network.events.write', 'cap:logging.ingest', 'cap:logging.write', 'cap:logging.ai',
  'cap:runtime.execute', 'cap:assistants.write', 'cap:assistants.invoke', 'cap:integrations.execute',
];
const ADMIN = [
  'cap:catalog.publish', 'cap:catalog.admin', 'cap:messaging.interrupt', 'cap:messaging.route', 'cap:messaging.admin',
  'cap:network.contracts.write', 'cap:network.policies.write', 'cap:network.nodes.admin', 'cap:logging.sensitive.read',
  'cap:logging.admin', 'cap:runtime.components.write', 'cap:assistants.admin', 'cap:integrations.admin',
];
/** Never implied by a role: only an explicit grant confers them (§2.2). */
export const GRANT_ONLY = ['cap:catalog.sign', 'cap:catalog.certify', 'cap:messaging.observe'];

export const ROLE_RANK: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

/** Capabilities implied by an org role; `agent` memberships imply none. */
export function roleCapabilities(role: Role | 'agent'): string[] {
  switch (role) {
    case 'admin':
      return [...VIEWER, ...MEMBER, ...ADMIN];
    case 'member':
      return [...VIEWER, ...MEMBER];
    case 'viewer':
      return [...VIEWER];
    default:
      return [];
  }
}

export function canonicalCapability(cap: string): string {
  return cap.startsWith('cap:registry.') ? `cap:catalog.${cap.slice('cap:registry.'.length)}` : cap;
}

/** What an org admin may hand out: what their own role implies, never a grant-only capability. */
export function isGrantableByAdmin(cap: string): boolean {
  const c = canonicalCapability(cap);
  return roleCapabilities('admin').includes(c) && !GRANT_ONLY.includes(c);
}

export function atLeast(role: Role, needed: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[needed];
}

/** Default scopes of the platform's own service accounts (§2.2). */
export function defaultServiceScopes(serviceId: string): string[] {
  const base = ['identity:introspect', 'logging:ingest', 'network:events.write'];
  const extra: Record<string, string[]> = {
    integrations: ['identity:credentials.read'],
    assistants: ['messaging:*', 'logging:read', 'runtime:read', 'catalog:read', 'integrations:execute'],
    messaging: ['assistants:invoke'],
    logging: ['integrations:execute'],
    runtime: ['catalog:read'],
  };
  return [...base, ...(extra[serviceId] ?? [])];
}
