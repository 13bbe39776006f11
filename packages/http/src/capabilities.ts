import type { Principal } from './context.js';

/** `cap:registry.x` is an accepted alias of `cap:catalog.x` (outline §2.2); compare canonical names. */
export function canonicalCapability(cap: string): string {
  return cap.startsWith('cap:registry.') ? `cap:catalog.${cap.slice('cap:registry.'.length)}` : cap;
}

/**
 * Whether API-key / service scopes cover a capability: `*` covers all, `svc:*` covers `cap:svc.…`,
 * `svc:a.b` covers exactly `cap:svc.a.b`. `identity:introspect` is never implied by `*`.
 */
export function scopesCover(scopes: readonly string[], capability: string): boolean {
  const cap = canonicalCapability(capability);
  if (!cap.startsWith('cap:')) return false;
  const rest = cap.slice(4);
  const dot = rest.indexOf('.');
  const service = dot === -1 ? rest : rest.slice(0, dot);
  const action = dot === -1 ? '' : rest.slice(dot + 1);
  for (const raw of scopes) {
    const scope = raw.startsWith('registry:') ? `catalog:${raw.slice('registry:'.length)}` : raw;
    if (scope === '*') {
      if (cap !== 'cap:identity.introspect') return true;
      continue;
    }
    const colon = scope.indexOf(':');
    if (colon === -1) continue;
    if (scope.slice(0, colon) !== service) continue;
    const scopeAction = scope.slice(colon + 1);
    if (scopeAction === '*' || scopeAction === action) return true;
  }
  return false;
}

export type CapabilityDecision = 'allow' | 'missing' | 'scope';

/**
 * The §2.2 rule for one capability in one org: super admins hold all; users and agents need it in
 * the org's effective set; services need a covering scope; API keys need both the creator's right
 * (already intersected into `organizations[].capabilities`) and a covering scope — which of the two
 * is missing decides between FORBIDDEN and AUTH_SCOPE_INSUFFICIENT.
 */
export function decideCapability(principal: Principal, orgId: string | undefined, capability: string): CapabilityDecision {
  const cap = canonicalCapability(capability);
  if (principal.isSuperAdmin && principal.type === 'user') return 'allow';
  if (principal.type === 'service') return scopesCover(principal.scopes, cap) ? 'allow' : 'missing';
  const org = orgId ? principal.organizations.find((o) => o.id === orgId) : undefined;
  const inOrg = org?.capabilities.map(canonicalCapability).includes(cap) ?? false;
  const global = principal.entitlements.map(canonicalCapability).includes(cap);
  if (principal.type === 'api_key') {
    if (!scopesCover(principal.scopes, cap)) return 'scope';
    return inOrg ? 'allow' : 'missing';
  }
  return inOrg || global ? 'allow' : 'missing';
}
