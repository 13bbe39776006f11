import { envPrefix, resolveServiceUrl, serviceEnv, type Env, type ServiceId } from '@symbia/sys';
import type { IntrospectionCache } from './auth-cache.js';
import type { CredentialVerifier } from './auth.js';
import { createIntrospectionVerifier } from './introspection.js';
import { createServiceTokenProvider } from './service-token.js';

export interface ServiceAuth {
  verifier: CredentialVerifier;
  /** Feed identity's revocation events (§2.11) to `cache.handleEvent` to evict at once. */
  cache: IntrospectionCache;
  /** This service's own bearer token, for calls to other services. */
  getServiceToken: () => Promise<string>;
  identityUrl: string;
}

/**
 * Authentication for every service but identity, from configuration alone: identity's URL
 * (`IDENTITY_SERVICE_URL`), this service's secret (`<SVC>_SERVICE_SECRET`, else `SERVICE_SECRET`),
 * and introspection with the §1.5 cache. Without a secret no credential can be verified, so every
 * authenticated request would answer 503: that is refused at start.
 */
export function createServiceAuth(service: ServiceId, env: Env = process.env, fetchImpl?: typeof fetch): ServiceAuth {
  const identityUrl = resolveServiceUrl('identity', env);
  const secret = serviceEnv(service, 'SERVICE_SECRET', env);
  if (!secret) throw new Error(`${envPrefix(service)}_SERVICE_SECRET (or SERVICE_SECRET) is required to verify credentials with identity`);
  const getServiceToken = createServiceTokenProvider({ identityUrl, serviceId: service, secret, fetchImpl });
  const verifier = createIntrospectionVerifier({ identityUrl, getServiceToken, fetchImpl });
  return { verifier, cache: verifier.cache, getServiceToken, identityUrl };
}
