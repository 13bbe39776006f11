import type { RequestHandler } from 'express';
import { isHttpProblem } from './errors.js';
import type { AnyRouteSpec } from './route.js';

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
