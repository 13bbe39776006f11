import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createAuthenticate } from './auth.js';
import { authenticateByRoute } from './auth-by-route.js';
import { problemHandler } from './problem-middleware.js';
import type { AnyRouteSpec } from './route.js';
import { requestContext } from './request-context.js';
import { parseTenancy } from './tenancy.js';
import { captureLogger } from './test-support.js';

const route = (method: 'get' | 'post', path: string, auth: string) => ({ method, path, auth }) as unknown as AnyRouteSpec;

describe('authenticateByRoute', () => {
  const routes = [route('post', '/api/login', 'none'), route('post', '/api/logout', 'any JWT/cookie, or none'), route('get', '/api/me', 'any')];
  const a = express();
  a.use(requestContext({ logger: captureLogger().logger, defaultEnv: 'dev' }), parseTenancy('dev'));
  a.use(authenticateByRoute(createAuthenticate({ verifier: { verify: async (c) => (c.value === 'good' ? ({ type: 'user', id: 'u', isSuperAdmin: false, organizations: [], scopes: [], entitlements: [], roles: [], via: 'bearer' }) : null) }, isOriginAllowed: () => true }), () => routes));
  a.all('/api/{*rest}', (req, res) => {
    res.json({ principal: req.ctx.principal?.id ?? null });
  });
  a.use(problemHandler({ logger: captureLogger().logger }));
  const http = request(a);

  it('ignores any credential on `none` routes', async () => {
    const res = await http.post('/api/login').set('authorization', 'Bearer expired');
    expect(res.status).toBe(200);
    expect(res.body.principal).toBeNull();
  });

  it('treats a dead credential as none on `or none` routes, and still reads a good one', async () => {
    expect((await http.post('/api/logout').set('authorization', 'Bearer expired')).body.principal).toBeNull();
    expect((await http.post('/api/logout').set('authorization', 'Bearer good')).body.principal).toBe('u');
  });

  it('refuses a dead credential everywhere else', async () => {
    expect((await http.get('/api/me').set('authorization', 'Bearer expired')).status).toBe(401);
    expect((await http.get('/api/me').set('authorization', 'Bearer good')).body.principal).toBe('u');
  });
});
