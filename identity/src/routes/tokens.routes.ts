import { defineRoute, HttpProblem, noStore, requirePrincipal, scopesCover, type AnyRouteSpec, type RateLimiter } from '@symbia/http';
import type { Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';

export interface TokenLimiters {
  loginIp: RateLimiter;
  introspection: RateLimiter;
}

/**
 * §2.3 guard: introspection answers only a service holding `identity:introspect`, a super admin, or
 * an API key scoped `identity:introspect`. Anonymous → 401, anybody else → 403.
 */
const introspectionCaller: RequestHandler = (req, _res, next) => {
  const p = requirePrincipal(req);
  const allowed =
    (p.type === 'user' && p.isSuperAdmin) ||
    ((p.type === 'service' || p.type === 'api_key') && scopesCover(p.scopes, 'cap:identity.introspect'));
  if (!allowed) throw new HttpProblem('IDENTITY_INTROSPECTION_FORBIDDEN', { detail: 'Introspection needs a service credential, a super admin or a key scoped identity:introspect' });
  next();
};

/**
 * RFC 7662/7009 clients may send extra parameters (client_id…); they are ignored. A token or key of
 * any shape up to the §1.1 string cap is answered (`{active:false}`, `Invalid API key`), not refused.
 */
const tokenBody = z.looseObject({ token: z.string().max(10_000).optional(), token_type_hint: z.string().max(64).optional() });

function basicCredentials(req: Request): { serviceId: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { serviceId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) } : undefined;
}

export function createTokenRoutes(svc: IdentityServices, limits: TokenLimiters): AnyRouteSpec[] {
  const serviceToken = defineRoute({
    method: 'post',
    path: '/api/auth/service/token',
    operationId: 'auth.service.token',
    summary: 'Exchange a service id and secret for a 15-minute service token',
    tags: ['auth'],
    auth: 'none (credential in request body or Basic header)',
    body: z.strictObject({ serviceId: z.string().min(1).max(64).optional(), secret: z.string().min(1).max(256).optional() }),
    middleware: [limits.loginIp],
    responses: {
      200: { description: 'Service token', schema: z.object({ token: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number(), expiresAt: z.string() }) },
    },
    errors: ['VALIDATION_FAILED', 'IDENTITY_CREDENTIALS_INVALID', 'RATE_LIMITED'],
    handler: async ({ body, req, res }) => {
      const creds = body.serviceId && body.secret ? { serviceId: body.serviceId, secret: body.secret } : basicCredentials(req);
      if (!creds) throw new HttpProblem('VALIDATION_FAILED', { detail: 'Send serviceId and secret', errors: [{ location: 'body', path: 'serviceId', message: 'serviceId and secret are required', code: 'invalid_type' }] });
      noStore(res);
      return svc.serviceAccounts.issueToken(creds);
    },
  });

  const introspect = defineRoute({
    method: 'post',
    path: '/api/auth/introspect',
    operationId: 'auth.introspect',
    summary: 'RFC 7662 token introspection (user, agent, service JWTs and API keys)',
    tags: ['auth'],
    auth: 'svc (identity:introspect), SA, or API key with identity:introspect',
    body: tokenBody,
    bodyTypes: ['json', 'form'],
    guards: [introspectionCaller], middleware: [limits.introspection],
    responses: { 200: { description: '`{active:false}` or the active answer of §2.3', schema: z.looseObject({ active: z.boolean() }) } },
    errors: ['AUTH_REQUIRED', 'AUTH_INVALID', 'IDENTITY_INTROSPECTION_FORBIDDEN', 'UNSUPPORTED_MEDIA_TYPE', 'RATE_LIMITED'],
    handler: async ({ body, res }) => {
      noStore(res);
      return svc.introspection.introspect(body.token);
    },
  });

  const verifyApiKey = defineRoute({
    method: 'post',
    path: '/api/auth/verify-api-key',
    operationId: 'auth.apiKey.verify',
    summary: 'Check an API key and describe it',
    tags: ['auth'],
    auth: 'as introspect',
    body: z.strictObject({ apiKey: z.string().max(10_000).optional() }),
    guards: [introspectionCaller], middleware: [limits.introspection],
    responses: { 200: { description: '`{valid:true,…}` or `{valid:false, error}`', schema: z.looseObject({ valid: z.boolean() }) } },
    errors: ['AUTH_REQUIRED', 'AUTH_INVALID', 'IDENTITY_INTROSPECTION_FORBIDDEN'],
    handler: async ({ body, res }) => {
      noStore(res);
      const check = await svc.introspection.checkApiKey(body.apiKey);
      if (!check.valid) return { valid: false, error: check.error };
      const { key, creator } = check;
      const orgs = await svc.users.me(creator.id);
      return {
        valid: true,
        keyId: key.id,
        name: key.name,
        orgId: key.orgId,
        scopes: key.scopes,
        serviceId: key.serviceId,
        env: key.env,
        expiresAt: key.expiresAt?.toISOString() ?? null,
        createdBy: key.createdBy,
        creator: { id: creator.id, email: creator.email, name: creator.name, organizations: orgs.organizations },
      };
    },
  });

  const revoke = defineRoute({
    method: 'post',
    path: '/api/auth/revoke',
    operationId: 'auth.revoke',
    summary: 'RFC 7009 revocation of a JWT (own token, or any as service / SA)',
    tags: ['auth'],
    auth: 'any (own token), svc, SA',
    body: tokenBody,
    bodyTypes: ['json', 'form'],
    responses: { 200: { description: 'Always `{}`, also for unknown tokens', schema: z.object({}) } },
    errors: ['AUTH_REQUIRED', 'AUTH_INVALID'],
    handler: async ({ body, req }) => {
      const p = requirePrincipal(req);
      const claims = body.token ? svc.deps.signer.verify(body.token) : undefined;
      // Only the token's own subject, a service or a super admin may revoke it; others get the same `{}`.
      const mayRevoke = claims && (p.type === 'service' || (p.type === 'user' && p.isSuperAdmin) || claims.sub === p.id);
      if (claims && mayRevoke) await svc.userAuth.revokeToken(claims);
      return {};
    },
  });

  const jwks = defineRoute({
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'auth.jwks',
    summary: 'No public keys (HS256); points at introspection',
    tags: ['auth'],
    auth: 'none',
    responses: { 200: { description: 'JWKS', schema: z.object({ keys: z.array(z.unknown()), introspection_endpoint: z.string(), introspect_endpoint: z.string() }) } },
    handler: () => ({ keys: [], introspection_endpoint: '/api/auth/introspect', introspect_endpoint: '/api/auth/introspect' }),
  });

  const config = defineRoute({
    method: 'get',
    path: '/api/auth/config',
    operationId: 'auth.config',
    summary: 'Where to log in and out',
    tags: ['auth'],
    auth: 'none',
    responses: { 200: { description: 'Auth configuration', schema: z.object({ identityServiceUrl: z.string(), loginUrl: z.string(), logoutUrl: z.string(), registrationOpen: z.boolean() }) } },
    handler: () => {
      const base = svc.deps.config.publicUrl;
      return { identityServiceUrl: base, loginUrl: `${base}/api/auth/login`, logoutUrl: `${base}/api/auth/logout`, registrationOpen: svc.deps.config.registrationOpen };
    },
  });

  return [serviceToken, introspect, verifyApiKey, revoke, jwks, config];
}
