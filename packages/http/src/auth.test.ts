import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAuthenticate, extractCredential, requireAuth, requireCapability, type CredentialVerifier } from './auth.js';
import type { Principal } from './context.js';
import { problemHandler } from './problem-middleware.js';
import { requestContext } from './request-context.js';
import { parseTenancy } from './tenancy.js';
import { captureLogger } from './test-support.js';

const ORG_A = '11111111-1111-4111-8111-111111111111';
const ORG_B = '22222222-2222-4222-8222-222222222222';

function principal(over: Partial<Principal>): Principal {
  return { type: 'user', id: 'u1', isSuperAdmin: false, organizations: [], scopes: [], entitlements: [], roles: [], via: 'bearer', ...over };
}

const PRINCIPALS: Record<string, Principal> = {
  'user-a': principal({ organizations: [{ id: ORG_A, role: 'member', capabilities: ['cap:catalog.read', 'cap:catalog.write'] }] }),
  'user-ab': principal({ organizations: [{ id: ORG_A, role: 'member', capabilities: ['cap:catalog.read'] }, { id: ORG_B, role: 'viewer', capabilities: ['cap:catalog.read'] }] }),
  sa: principal({ isSuperAdmin: true }),
  svc: principal({ type: 'service', id: 'svc:logging', serviceId: 'logging', scopes: ['logging:ingest', 'catalog:read'] }),
  'sk_read-only': principal({ type: 'api_key', keyId: 'k1', boundOrgId: ORG_A, boundEnv: 'prod', scopes: ['catalog:read'], organizations: [{ id: ORG_A, role: 'member', capabilities: ['cap:catalog.read'] }] }),
};

const verifier: CredentialVerifier = { verify: async (c) => PRINCIPALS[c.value] ?? null };

function app(handlers: express.RequestHandler[]) {
  const a = express();
  a.use(requestContext({ logger: captureLogger().logger, defaultEnv: 'dev' }));
  a.use(parseTenancy('dev'));
  a.use(createAuthenticate({ verifier, isOriginAllowed: (o) => o === 'https://app.example.com' }));
  a.all('/t', ...handlers, (req, res) => {
    res.json({ principal: req.ctx.principal?.type ?? null, via: req.ctx.principal?.via, orgId: req.ctx.tenant.orgId ?? null, env: req.ctx.tenant.env });
  });
  a.use(problemHandler({ logger: captureLogger().logger }));
  return request(a);
}

describe('credential extraction', () => {
  it('takes Bearer, then X-API-Key, then the token cookie, and never the query string', () => {
    const req = (headers: Record<string, string>) => ({ headers }) as unknown as express.Request;
    expect(extractCredential(req({ authorization: 'Bearer a', 'x-api-key': 'b', cookie: 'token=c' }))).toEqual({ kind: 'bearer', value: 'a' });
    expect(extractCredential(req({ 'x-api-key': 'b', cookie: 'token=c' }))).toEqual({ kind: 'api_key', value: 'b' });
    expect(extractCredential(req({ cookie: 'x=1; token=c' }))).toEqual({ kind: 'cookie', value: 'c' });
    expect(extractCredential(req({}))).toBeUndefined();
  });
});

describe('authenticate', () => {
  const http = app([requireAuth]);

  it('401 AUTH_REQUIRED with WWW-Authenticate when no credential is sent', async () => {
    const res = await http.get('/t?token=user-a&access_token=user-a');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_REQUIRED');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="symbia"');
  });

  it('401 AUTH_INVALID for a bad first credential, with no fall-through to a good second one', async () => {
    const res = await http.get('/t').set('authorization', 'Bearer nope').set('x-api-key', 'user-a');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('AUTH_INVALID');
    expect((await http.get('/t').set('authorization', 'Basic abc')).body.code).toBe('AUTH_INVALID');
  });

  it('accepts a valid credential', async () => {
    const res = await http.get('/t').set('authorization', 'Bearer user-a');
    expect(res.body).toMatchObject({ principal: 'user', via: 'bearer' });
  });

  it('needs an allowed Origin for cookie-authenticated changes (CSRF)', async () => {
    expect((await http.get('/t').set('cookie', 'token=user-a')).status).toBe(200);
    const noOrigin = await http.post('/t').set('cookie', 'token=user-a');
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.code).toBe('AUTH_CSRF_REJECTED');
    expect((await http.post('/t').set('cookie', 'token=user-a').set('origin', 'https://evil.example')).status).toBe(403);
    expect((await http.post('/t').set('cookie', 'token=user-a').set('origin', 'https://app.example.com')).status).toBe(200);
  });

  it('lets only services send X-On-Behalf-Of', async () => {
    const user = await http.get('/t').set('authorization', 'Bearer user-a').set('x-on-behalf-of', ORG_A);
    expect(user.status).toBe(403);
    expect(user.body.code).toBe('FORBIDDEN');
    expect((await http.get('/t').set('authorization', 'Bearer svc').set('x-on-behalf-of', ORG_A)).status).toBe(200);
  });

  it('lets an API key bound to an env override X-Env', async () => {
    const res = await http.get('/t').set('x-api-key', 'sk_read-only').set('x-env', 'staging');
    expect(res.body.env).toBe('prod');
  });
});

describe('requireCapability and org selection', () => {
  const http = app([requireCapability('cap:catalog.write')]);

  it('uses the only org when X-Org-Id is absent and asks for one when there are several', async () => {
    expect((await http.get('/t').set('authorization', 'Bearer user-a')).body.orgId).toBe(ORG_A);
    const many = await app([requireCapability('cap:catalog.read')]).get('/t').set('authorization', 'Bearer user-ab');
    expect(many.status).toBe(400);
    expect(many.body.code).toBe('TENANT_ORG_REQUIRED');
  });

  it('refuses another tenant and unknown orgs alike with TENANT_ORG_FORBIDDEN', async () => {
    const res = await http.get('/t').set('authorization', 'Bearer user-a').set('x-org-id', ORG_B);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('TENANT_ORG_FORBIDDEN');
  });

  it('answers FORBIDDEN with requiredCapability when the role lacks it', async () => {
    const res = await app([requireCapability('cap:catalog.admin')]).get('/t').set('authorization', 'Bearer user-a');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN', requiredCapability: 'cap:catalog.admin' });
  });

  it('answers AUTH_SCOPE_INSUFFICIENT with requiredScope when an API key lacks the scope', async () => {
    const res = await http.get('/t').set('x-api-key', 'sk_read-only');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'AUTH_SCOPE_INSUFFICIENT', requiredScope: 'catalog:write' });
    expect((await app([requireCapability('cap:catalog.read')]).get('/t').set('x-api-key', 'sk_read-only')).status).toBe(200);
  });

  it('lets services act in a named org with their scopes, and super admins anywhere', async () => {
    const svc = app([requireCapability('cap:catalog.read')]);
    expect((await svc.get('/t').set('authorization', 'Bearer svc').set('x-org-id', ORG_B)).body.orgId).toBe(ORG_B);
    expect((await http.get('/t').set('authorization', 'Bearer svc').set('x-org-id', ORG_B)).status).toBe(403);
    expect((await http.get('/t').set('authorization', 'Bearer sa').set('x-org-id', ORG_B)).status).toBe(200);
  });
});

describe('tenancy headers', () => {
  const http = app([]);
  it('rejects malformed values with VALIDATION_FAILED in location headers, reads included', async () => {
    const res = await http.get('/t').set('x-org-id', 'not-a-uuid').set('x-data-class', 'top-secret');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { location: string; path: string }) => `${e.location}:${e.path}`).sort()).toEqual(['headers:x-data-class', 'headers:x-org-id']);
  });
  it('accepts X-Environment as an alias and data classes case-insensitively', async () => {
    const res = await http.get('/t').set('x-environment', 'staging').set('x-data-class', 'PII');
    expect(res.status).toBe(200);
    expect(res.body.env).toBe('staging');
  });
});
