import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from './errors.js';
import type { Principal } from './context.js';
import { decideCapability } from './capabilities.js';
import { bindLog } from './request-context.js';
import { selectOrg, type OrgSelectionHooks } from './tenancy.js';

export interface Credential {
  kind: 'bearer' | 'api_key' | 'cookie';
  value: string;
}

/**
 * Turns a credential into a principal. Identity verifies locally; every other service plugs in the
 * introspection verifier. `null` means "not active" (401); a verifier that cannot reach its
 * authority throws DEPENDENCY_UNAVAILABLE, so an unverifiable credential is never let through.
 */
export interface CredentialVerifier {
  verify(credential: Credential): Promise<Principal | null>;
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

/**
 * Precedence of outline §1.5: Bearer, then X-API-Key, then the `token` cookie; only the first one
 * present counts. The query string is never consulted.
 */
export function extractCredential(req: Request): Credential | undefined {
  const authz = req.headers.authorization;
  if (authz !== undefined) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authz);
    return { kind: 'bearer', value: match?.[1] ?? '' };
  }
  const apiKey = req.headers['x-api-key'];
  if (apiKey !== undefined) return { kind: 'api_key', value: Array.isArray(apiKey) ? (apiKey[0] ?? '') : apiKey };
  const cookie = readCookie(req.headers.cookie, 'token');
  if (cookie !== undefined) return { kind: 'cookie', value: cookie };
  return undefined;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthenticateOptions {
  verifier: CredentialVerifier;
  /** The CORS allow-list check; cookie-authenticated unsafe requests must come from an allowed Origin. */
  isOriginAllowed: (origin: string) => boolean;
}

/**
 * Establishes `req.ctx.principal` when a credential is present; never demands one (that is
 * `requireAuth`). A present but invalid credential is a 401 right here: no fall-through to a
 * weaker credential.
 */
export function createAuthenticate(options: AuthenticateOptions): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const credential = extractCredential(req);
    if (!credential) return next();
    if (credential.value === '') return next(new HttpProblem('AUTH_INVALID', { detail: 'The credential is malformed' }));
    const principal = await options.verifier.verify(credential);
    if (!principal) return next(new HttpProblem('AUTH_INVALID', { detail: 'The credential is invalid, expired or revoked' }));
    if (credential.kind === 'cookie' && UNSAFE.has(req.method)) {
      const origin = req.headers.origin;
      if (!origin || !options.isOriginAllowed(origin)) {
        return next(new HttpProblem('AUTH_CSRF_REJECTED', { detail: 'Cookie-authenticated changes need an allowed Origin' }));
      }
    }
    if (req.ctx.tenant.onBehalfOf !== undefined && principal.type !== 'service') {
      return next(new HttpProblem('FORBIDDEN', { detail: 'Only service principals may send X-On-Behalf-Of' }));
    }
    // An API key bound to a service id or env overrides the headers (§1.6).
    if (principal.type === 'api_key') {
      if (principal.boundServiceId) req.ctx.tenant.serviceId = principal.boundServiceId;
      if (principal.boundEnv) req.ctx.tenant.env = principal.boundEnv;
    }
    req.ctx.principal = { ...principal, via: credential.kind };
    bindLog(req, { principal: `${principal.type}:${principal.id}` });
    next();
  };
}

export function requirePrincipal(req: Request): Principal {
  const principal = req.ctx.principal;
  if (!principal) {
    throw new HttpProblem('AUTH_REQUIRED', {
      detail: 'Send a bearer token, an X-API-Key or the session cookie',
      headers: { 'WWW-Authenticate': 'Bearer realm="symbia"' },
    });
  }
  return principal;
}

export const requireAuth: RequestHandler = (req, _res, next) => {
  requirePrincipal(req);
  next();
};

export interface RequireCapabilityOptions extends OrgSelectionHooks {
  /** Name of the path parameter that carries the org, if the route has one. */
  orgParam?: string;
}

/**
 * Authenticated, org selected (§1.6) and capability held (§2.2). The resolved org is written back to
 * `req.ctx.tenant.orgId` so services read the scope from one place.
 */
export function requireCapability(capability: string, options: RequireCapabilityOptions = {}): RequestHandler {
  return async (req, _res, next) => {
    const principal = requirePrincipal(req);
    const pathOrg = options.orgParam ? (req.params as Record<string, string | undefined>)[options.orgParam] : undefined;
    const orgId = await selectOrg(req, pathOrg, options);
    req.ctx.tenant.orgId = orgId;
    const decision = decideCapability(principal, orgId, capability);
    if (decision === 'scope') {
      const [svc, ...action] = capability.slice(4).split('.');
      throw new HttpProblem('AUTH_SCOPE_INSUFFICIENT', {
        detail: `This API key lacks a scope for ${capability}`,
        extensions: { requiredScope: `${svc}:${action.join('.')}` },
      });
    }
    if (decision === 'missing') {
      throw new HttpProblem('FORBIDDEN', { detail: `Requires ${capability}`, extensions: { requiredCapability: capability } });
    }
    next();
  };
}
