import { defineRoute, HttpProblem, noStore, requirePrincipal, type AnyRouteSpec, type RateLimiter } from '@symbia/http';
import { z } from 'zod';
import type { IdentityServices } from '../services/container.js';
import { clearTokenCookie, setTokenCookie } from './cookies.js';
import { agentJwt, anyPrincipal, callerOf, userJwt } from './guards.js';
import { email, loginPassword, password, personName } from './schemas.js';

export interface AuthLimiters {
  loginIp: RateLimiter;
  registerIp: RateLimiter;
  forgotIp: RateLimiter;
  forgotEmail: RateLimiter;
}

const orgSummary = z.object({ id: z.uuid(), name: z.string(), slug: z.string(), role: z.string() });
const userOut = z.object({ id: z.uuid(), email: z.string(), name: z.string(), isSuperAdmin: z.boolean(), createdAt: z.string(), organizations: z.array(orgSummary) });
const tokenOut = { token: z.string(), expiresAt: z.string() };

/** Bearer token of the request, if it is one (logout and refresh act on the presented JWT). */
function presentedJwt(req: Parameters<AnyRouteSpec['handler']>[0]['req']): string | undefined {
  const m = /^Bearer[ ]+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (m) return m[1];
  if (req.ctx.principal?.via === 'cookie') {
    const cookie = /(?:^|;\s*)token=([^;]+)/.exec(req.headers.cookie ?? '');
    return cookie?.[1];
  }
  return undefined;
}

export function createAuthRoutes(svc: IdentityServices, limits: AuthLimiters): AnyRouteSpec[] {
  const secure = svc.deps.config.secureCookies;
  const register = defineRoute({
    method: 'post',
    path: '/api/auth/user/register',
    aliases: ['/api/auth/register'],
    operationId: 'auth.user.register',
    summary: 'Register a user (optionally creating an org)',
    tags: ['auth'],
    auth: 'none',
    body: z.strictObject({ email, password, name: personName, orgName: personName.optional() }),
    middleware: [limits.registerIp],
    responses: { 201: { description: 'Registered', schema: z.object({ user: userOut, ...tokenOut }) } },
    errors: ['VALIDATION_FAILED', 'IDENTITY_PASSWORD_WEAK', 'IDENTITY_REGISTRATION_CLOSED', 'IDENTITY_EMAIL_TAKEN', 'RATE_LIMITED'],
    handler: async ({ body, req, res }) => {
      const result = await svc.userAuth.register(callerOf(req), body);
      setTokenCookie(res, result.token, secure);
      noStore(res);
      res.status(201);
      return result;
    },
  });

  const login = defineRoute({
    method: 'post',
    path: '/api/auth/user/login',
    aliases: ['/api/auth/login'],
    operationId: 'auth.user.login',
    summary: 'Log in with email and password',
    tags: ['auth'],
    auth: 'none',
    body: z
      .strictObject({ email: email.optional(), username: email.optional(), password: loginPassword })
      .refine((b) => (b.email ?? b.username) !== undefined, { message: 'email is required', path: ['email'] }),
    middleware: [limits.loginIp],
    responses: { 200: { description: 'Logged in', schema: z.object({ user: userOut.omit({ createdAt: true }), ...tokenOut }) } },
    errors: ['VALIDATION_FAILED', 'IDENTITY_CREDENTIALS_INVALID', 'RATE_LIMITED'],
    handler: async ({ body, req, res }) => {
      const result = await svc.userAuth.login(callerOf(req), { email: (body.email ?? body.username)!, password: body.password });
      setTokenCookie(res, result.token, secure);
      noStore(res);
      const { createdAt: _c, ...user } = result.user;
      return { ...result, user };
    },
  });

  const logout = defineRoute({
    method: 'post',
    path: '/api/auth/logout',
    operationId: 'auth.logout',
    summary: 'Revoke the presented token and clear the cookie',
    tags: ['auth'],
    auth: 'any JWT/cookie, or none',
    responses: { 204: { description: 'Logged out' } },
    handler: async ({ req, res }) => {
      await svc.userAuth.logout(callerOf(req), presentedJwt(req));
      clearTokenCookie(res, secure);
      res.status(204).end();
    },
  });

  const refreshHandler = (only?: 'user' | 'agent') => async ({ req, res }: { req: Parameters<AnyRouteSpec['handler']>[0]['req']; res: Parameters<AnyRouteSpec['handler']>[0]['res'] }) => {
    const principal = requirePrincipal(req);
    const raw = presentedJwt(req);
    const claims = raw ? svc.deps.signer.verify(raw) : undefined;
    if (!claims || (principal.type !== 'user' && principal.type !== 'agent')) {
      throw new HttpProblem(only === 'agent' ? 'IDENTITY_AGENT_TOKEN_REQUIRED' : 'IDENTITY_USER_TOKEN_REQUIRED', { detail: 'Refresh needs a user or agent JWT' });
    }
    // Two concurrent refreshes of one token: only the one that revokes it gets a successor.
    if (!(await svc.userAuth.revokeToken(claims))) throw new HttpProblem('AUTH_INVALID', { detail: 'The token was already refreshed or revoked' });
    const issued =
      principal.type === 'user'
        ? svc.userAuth.issueUserToken(await svc.users.getUser(principal.id))
        : svc.agents.issueAgentToken(await svc.agents.getSelf(principal.id));
    if (principal.via === 'cookie') setTokenCookie(res, issued.token, secure);
    noStore(res);
    return { type: principal.type, ...issued };
  };
  const refreshOut = { 200: { description: 'A fresh token; the presented one is revoked', schema: z.object({ type: z.enum(['user', 'agent']), ...tokenOut }) } };
  const refresh = defineRoute({
    method: 'post', path: '/api/auth/refresh', operationId: 'auth.refresh', summary: 'Exchange a user or agent JWT for a fresh one',
    tags: ['auth'], auth: 'user or agent JWT', guards: [anyPrincipal], responses: refreshOut, errors: ['AUTH_REQUIRED', 'AUTH_INVALID'],
    handler: refreshHandler(),
  });
  const userRefresh = defineRoute({
    method: 'post', path: '/api/auth/user/refresh', operationId: 'auth.user.refresh', summary: 'Refresh a user JWT',
    tags: ['auth'], auth: 'user-jwt', guards: [userJwt], responses: refreshOut, errors: ['IDENTITY_USER_TOKEN_REQUIRED'],
    handler: refreshHandler('user'),
  });
  const agentRefresh = defineRoute({
    method: 'post', path: '/api/auth/agent/refresh', operationId: 'auth.agent.refresh', summary: 'Refresh an agent JWT',
    tags: ['auth'], auth: 'agent', guards: [agentJwt], responses: refreshOut, errors: ['IDENTITY_AGENT_TOKEN_REQUIRED'],
    handler: refreshHandler('agent'),
  });

  const forgot = defineRoute({
    method: 'post',
    path: '/api/auth/forgot-password',
    operationId: 'auth.password.forgot',
    summary: 'Request a password reset email (same answer for unknown emails)',
    tags: ['auth'],
    auth: 'none',
    body: z.strictObject({ email }),
    middleware: [limits.forgotIp, limits.forgotEmail],
    responses: { 200: { description: 'Accepted', schema: z.object({ message: z.string(), emailEnabled: z.boolean() }) } },
    errors: ['VALIDATION_FAILED', 'RATE_LIMITED'],
    handler: ({ body, req }) => svc.users.forgotPassword(callerOf(req), body.email),
  });

  const reset = defineRoute({
    method: 'post',
    path: '/api/auth/reset-password',
    operationId: 'auth.password.reset',
    summary: 'Set a new password with a reset token',
    tags: ['auth'],
    auth: 'none',
    body: z.strictObject({ token: z.string().min(1).max(128), password }),
    responses: { 200: { description: 'Password updated; every token of the user revoked', schema: z.object({ message: z.string() }) } },
    errors: ['VALIDATION_FAILED', 'IDENTITY_RESET_TOKEN_INVALID', 'IDENTITY_PASSWORD_WEAK'],
    handler: ({ body, req }) => svc.users.resetPassword(callerOf(req), body),
  });

  return [register, login, logout, refresh, userRefresh, agentRefresh, forgot, reset];
}
