import { HttpProblem } from './errors.js';
import type { Principal } from './context.js';
import type { Credential, CredentialVerifier } from './auth.js';
import { IntrospectionCache } from './auth-cache.js';

type Json = Record<string, unknown>;

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Map an active RFC 7662 answer of identity (§2.3 table) onto the shell's Principal. */
export function principalFromIntrospection(answer: Json): Principal | null {
  if (answer.active !== true) return null;
  const type = answer.type;
  if (type !== 'user' && type !== 'agent' && type !== 'service' && type !== 'api_key') return null;
  const organizations = (Array.isArray(answer.organizations) ? answer.organizations : []).flatMap((o) => {
    if (!o || typeof o !== 'object') return [];
    const org = o as Json;
    const id = str(org.id);
    if (!id) return [];
    return [{ id, name: str(org.name), slug: str(org.slug), role: str(org.role) ?? 'viewer', capabilities: strings(org.capabilities) }];
  });
  const scopeList = typeof answer.scope === 'string' && answer.scope !== '' ? answer.scope.split(' ') : [];
  return {
    type,
    id: str(answer.sub) ?? '',
    isSuperAdmin: type === 'user' && answer.isSuperAdmin === true,
    email: str(answer.email),
    name: str(answer.name),
    organizations,
    scopes: type === 'user' ? [] : scopeList,
    entitlements: strings(answer.entitlements),
    roles: strings(answer.roles),
    keyId: type === 'api_key' ? str(answer.keyId) : undefined,
    boundOrgId: type === 'api_key' ? (str(answer.orgId) ?? null) : undefined,
    boundServiceId: type === 'api_key' ? (str(answer.serviceId) ?? null) : undefined,
    boundEnv: type === 'api_key' ? (str(answer.env) ?? null) : undefined,
    serviceId: type === 'service' ? str(answer.serviceId) : undefined,
    agentId: type === 'agent' ? str(answer.agentId) : undefined,
    via: 'bearer',
    raw: answer,
  };
}

export interface IntrospectionVerifierOptions {
  identityUrl: string;
  /** This service's own bearer token (a service token from identity). */
  getServiceToken: () => Promise<string>;
  cache?: IntrospectionCache;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * The verifier every service but identity uses. Concurrent requests with the same credential share
 * one in-flight introspection call so a burst of traffic does not become a burst on identity.
 */
export function createIntrospectionVerifier(options: IntrospectionVerifierOptions): CredentialVerifier & { cache: IntrospectionCache } {
  const cache = options.cache ?? new IntrospectionCache();
  const doFetch = options.fetchImpl ?? fetch;
  const inFlight = new Map<string, Promise<Principal | null>>();
  const url = `${options.identityUrl.replace(/\/+$/, '')}/api/auth/introspect`;

  async function introspect(token: string): Promise<Json> {
    let serviceToken: string;
    try {
      serviceToken = await options.getServiceToken();
    } catch {
      throw new HttpProblem('DEPENDENCY_UNAVAILABLE', { detail: 'Identity is unreachable', headers: { 'Retry-After': '5' } });
    }
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
    } catch {
      throw new HttpProblem('DEPENDENCY_UNAVAILABLE', { detail: 'Identity is unreachable', headers: { 'Retry-After': '5' } });
    }
    if (res.status !== 200) {
      throw new HttpProblem('DEPENDENCY_UNAVAILABLE', { detail: 'Identity could not verify the credential', headers: { 'Retry-After': '5' } });
    }
    return (await res.json()) as Json;
  }

  async function verify(credential: Credential): Promise<Principal | null> {
    const key = IntrospectionCache.keyOf(credential.value);
    const hit = cache.get(key);
    if (hit) return hit.principal;
    const pending = inFlight.get(key);
    if (pending) return pending;
    const work = (async () => {
      const answer = await introspect(credential.value);
      const principal = principalFromIntrospection(answer);
      cache.set(key, principal, { jti: str(answer.jti), keyId: str(answer.keyId) });
      return principal;
    })();
    inFlight.set(key, work);
    try {
      return await work;
    } finally {
      inFlight.delete(key);
    }
  }

  return { verify, cache };
}
