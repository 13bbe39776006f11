import { principalFromIntrospection, type CredentialVerifier } from '@symbia/http';
import type { IntrospectionService } from './services/introspection.service.js';

/**
 * Identity verifies credentials itself, through the very answers it gives other services over
 * introspection, so the two can never disagree. An `X-API-Key` must be an API key; a bearer may be
 * either a JWT or an API key.
 */
export function createLocalVerifier(introspection: IntrospectionService): CredentialVerifier {
  return {
    async verify(credential) {
      if (credential.kind === 'api_key' && !credential.value.startsWith('sk_')) return null;
      return principalFromIntrospection(await introspection.introspect(credential.value));
    },
  };
}
