import { isHttpProblem, principalFromIntrospection, type AnyRouteSpec, type CredentialVerifier } from '@symbia/http';
import type { RequestHandler } from 'express';
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

type AuthMode = 'ignore' | 'optional';

/**
 * Outline §0: on an `auth: none` route a credential, if sent, is ignored, so a stale cookie or an
 * expired bearer never blocks login, registration or a service's Basic token request. A route whose
 * auth ends in "or none" (logout) treats a dead credential as no credential. The table is read from
 * the route registry on the first request, once every route is registered.
 */
export function authenticateByRoute(authenticate: RequestHandler, routes: () => readonly AnyRouteSpec[]): RequestHandler {
  let modes: Map<string, AuthMode> | undefined;
  const build = () => {
    const table = new Map<string, AuthMode>();
    for (const spec of routes()) {
      const mode: AuthMode | undefined = /^none\b/.test(spec.auth) ? 'ignore' : /\bor none$/.test(spec.auth) ? 'optional' : undefined;
      if (!mode) continue;
      for (const path of [spec.path, ...(spec.aliases ?? [])]) table.set(`${spec.method.toUpperCase()} ${path.toLowerCase()}`, mode);
    }
    return table;
  };
  return (req, res, next) => {
    modes ??= build();
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const path = req.path.length > 1 ? req.path.replace(/\/$/, '') : req.path;
    const mode = modes.get(`${method} ${path.toLowerCase()}`);
    if (mode === 'ignore') return next();
    if (mode === 'optional') return authenticate(req, res, (err?: unknown) => next(isHttpProblem(err) && err.code === 'AUTH_INVALID' ? undefined : err));
    return authenticate(req, res, next);
  };
}
