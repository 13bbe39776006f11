import { describeEachEngine } from '@symbia/db/testing';
import { captureLogger, createAuthenticate, createAuthShellRoutes, createServiceApp, createServiceAuth, defineRoute, parseTenancy, requireAuth, requireCapability, type ServiceAuth } from '@symbia/http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { actions, createHarness, SERVICE_SECRETS, type Harness } from './harness.js';

/**
 * Another service authenticating through identity by configuration alone (createServiceAuth):
 * real introspection over HTTP, the §1.5 cache, and eviction by identity's revocation events.
 */
function downstream(auth: ServiceAuth) {
  const svc = createServiceApp({
    service: 'logging',
    version: '0.0.0',
    description: 'a downstream service for the test',
    logger: captureLogger('logging').logger,
    port: 0,
    corsAllowedOrigins: [],
    production: false,
    identityUrl: auth.identityUrl,
    databaseCheck: async () => true,
    beforeRoutes: [parseTenancy('dev'), createAuthenticate({ verifier: auth.verifier, isOriginAllowed: () => false })],
    defaultMetrics: false,
  });
  svc.registry.addAll([
    ...createAuthShellRoutes({ identityUrl: auth.identityUrl }),
    defineRoute({
      method: 'get', path: '/api/whoami', operationId: 'whoami', summary: 'The caller', auth: 'any', guards: [requireAuth],
      responses: { 200: { description: 'principal', schema: z.object({ type: z.string(), id: z.string() }) } },
      handler: ({ req }) => ({ type: req.ctx.principal!.type, id: req.ctx.principal!.id }),
    }),
    defineRoute({
      method: 'get', path: '/api/logs', operationId: 'logs', summary: 'Needs cap:logging.read', auth: 'cap:logging.read',
      guards: [requireAuth, requireCapability('cap:logging.read')],
      responses: { 200: { description: 'ok' } },
      handler: ({ req }) => ({ orgId: req.ctx.tenant.orgId }),
    }),
  ]);
  svc.finalize();
  return request(svc.app);
}

describeEachEngine('a downstream service authenticates through identity', (engine) => {
  let h: Harness;
  let server: Server;
  let auth: ServiceAuth;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    // onEvent does what the relay will: deliver identity's revocation events to every service's cache.
    h = await createHarness(engine, {}, { onEvent: (type, payload) => auth?.cache.handleEvent(type, payload) });
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    auth = createServiceAuth('logging', { IDENTITY_SERVICE_URL: `http://127.0.0.1:${port}`, LOGGING_SERVICE_SECRET: SERVICE_SECRETS.logging });
    http = downstream(auth);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await h.close();
  });

  it('accepts a user token, an API key and org capabilities from introspection', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    const me = await http.get('/api/whoami').set('authorization', `Bearer ${owner.token}`);
    expect(me.body).toEqual({ type: 'user', id: owner.user.id });
    expect((await http.get('/api/logs').set('authorization', `Bearer ${owner.token}`)).body).toEqual({ orgId: owner.orgId });
    const key = await a.apiKey(owner.token, { scopes: ['catalog:read'], orgId: owner.orgId });
    const denied = await http.get('/api/logs').set('x-api-key', key.key);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('AUTH_SCOPE_INSUFFICIENT');
    expect((await http.get('/api/whoami').set('authorization', 'Bearer not-a-token')).status).toBe(401);
  });

  it('serves the shell /api/auth/me and /api/auth/config from the introspected principal', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    const me = await http.get('/api/auth/me').set('authorization', `Bearer ${owner.token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ type: 'user', user: { id: owner.user.id, email: owner.email }, organizations: [{ id: owner.orgId, role: 'admin' }] });
    const svcToken = await a.serviceToken('integrations');
    expect((await http.get('/api/auth/me').set('authorization', `Bearer ${svcToken}`)).body).toMatchObject({ type: 'service', service: { serviceId: 'integrations' } });
    expect((await http.get('/api/auth/me')).status).toBe(401);
    const config = await http.get('/api/auth/config');
    expect(config.body.loginUrl).toBe(`${auth.identityUrl}/api/auth/login`);
  });

  it('stops accepting a token as soon as identity revokes it, and a key as soon as it is revoked', async () => {
    const a = actions(h);
    const user = await a.register();
    expect((await http.get('/api/whoami').set('authorization', `Bearer ${user.token}`)).status).toBe(200);
    await h.http.post('/api/auth/logout').set('authorization', `Bearer ${user.token}`);
    const after = await http.get('/api/whoami').set('authorization', `Bearer ${user.token}`);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('AUTH_INVALID');

    const owner = await a.orgAdmin();
    const key = await a.apiKey(owner.token);
    expect((await http.get('/api/whoami').set('x-api-key', key.key)).status).toBe(200);
    await h.http.post(`/api/api-keys/${key.id}/revoke`).set('authorization', `Bearer ${owner.token}`);
    expect((await http.get('/api/whoami').set('x-api-key', key.key)).status).toBe(401);
  });

  it('answers 503 DEPENDENCY_UNAVAILABLE when identity is unreachable and nothing is cached', async () => {
    const offline = downstream(createServiceAuth('logging', { IDENTITY_SERVICE_URL: 'http://127.0.0.1:1', LOGGING_SERVICE_SECRET: SERVICE_SECRETS.logging }));
    const res = await offline.get('/api/whoami').set('authorization', 'Bearer anything');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('DEPENDENCY_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('5');
  });
});
