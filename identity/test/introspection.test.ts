import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHeader, auth, expectProblem, fields, scenario, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';
import { decode, nowSeconds, sign, userClaims } from './token-forge.js';

/** §2.3 introspection (RFC 7662), verify-api-key and revocation (RFC 7009), with their guards. */

const INACTIVE = { active: false };

describeEachEngine('identity introspection', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let svc: string;
  let sa: string;

  const introspectAs = (headers: Record<string, string>, body: Record<string, unknown> | string = {}) => h.http.post('/api/auth/introspect').set(headers).send(body);
  const verifyAs = (headers: Record<string, string>, body: Record<string, unknown> = {}) => h.http.post('/api/auth/verify-api-key').set(headers).send(body);
  async function answer(token: string | undefined) {
    const res = await introspectAs(auth(svc), token === undefined ? {} : { token });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    return res.body as Record<string, unknown>;
  }
  async function saKey(scopes: string[]) {
    return s.key(sa, { name: 'introspector', scopes });
  }

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    svc = await s.serviceToken('logging');
    sa = await s.admin();
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetRateLimits());

  describe('who may introspect', () => {
    it('a service with identity:introspect, a super admin, and an SA key scoped identity:introspect', async () => {
      const u = await s.register();
      const key = await saKey(['identity:introspect']);
      for (const caller of [auth(svc), auth(sa), apiKeyHeader(key.key), auth(key.key)]) {
        const res = await introspectAs(caller, { token: u.token });
        expect(res.status).toBe(200);
        expect(res.body.active).toBe(true);
        expect(res.headers['x-ratelimit-limit']).toBe('1200');
        const verify = await verifyAs(caller, { apiKey: key.key });
        expect(verify.status).toBe(200);
        expect(verify.body.valid).toBe(true);
      }
    });

    it('anonymous callers get 401, a dead credential 401, anybody else 403', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const memberKey = await s.key(admin.token, { orgId: admin.orgId });
      const saStarKey = await saKey(['*']);
      const saIdentityStar = await s.key(sa, { name: 'identity star', scopes: ['identity:*'] }).catch(() => undefined);
      const sam = await h.http.post('/api/admin/service-accounts').set(auth(sa)).send({ serviceId: `ingest-only-${s.unique()}`.slice(0, 32).replace(/[^a-z0-9-]/g, 'x'), scopes: ['logging:ingest'] });
      expect(sam.status).toBe(201);
      const weakSvc = await h.http.post('/api/auth/service/token').send({ serviceId: sam.body.serviceId, secret: sam.body.secret });
      const body = { token: admin.token };
      for (const route of [introspectAs, verifyAs]) {
        const anon = await route({}, body);
        expectProblem(anon, 401, 'AUTH_REQUIRED');
        expect(anon.headers['www-authenticate']).toBe('Bearer realm="symbia"');
        expectProblem(await route(auth('not.a.token'), body), 401, 'AUTH_INVALID');
        const forbidden = [auth(admin.token), auth(agent.token), apiKeyHeader(memberKey.key), apiKeyHeader(saStarKey.key), auth(weakSvc.body.token)];
        if (saIdentityStar) forbidden.push(apiKeyHeader(saIdentityStar.key));
        for (const caller of forbidden) expectProblem(await route(caller, body), 403, 'IDENTITY_INTROSPECTION_FORBIDDEN');
      }
    });

    it('only a super admin may put identity:introspect on a key', async () => {
      const admin = await s.orgAdmin();
      await writesNothing(h, async () => {
        for (const path of ['/api/api-keys', '/api/auth/keys']) {
          for (const scopes of [['identity:introspect'], ['catalog:read', 'identity:introspect']]) {
            const res = await h.http.post(path).set(auth(admin.token)).send({ name: 'sneaky', scopes });
            expectProblem(res, 403, 'IDENTITY_SCOPE_NOT_GRANTABLE');
          }
        }
      });
    });
  });

  describe('active answers (§2.3 table)', () => {
    it('user token', async () => {
      const admin = await s.orgAdmin();
      expect((await h.http.post(`/api/admin/users/${admin.user.id}/entitlements`).set(auth(sa)).send({ key: 'cap:catalog.sign' })).status).toBe(201);
      expect((await h.http.post(`/api/admin/users/${admin.user.id}/roles`).set(auth(sa)).send({ key: 'role:publisher' })).status).toBe(201);
      const a = await answer(admin.token);
      const claims = decode(admin.token).claims;
      expect(fields(a)).toEqual(['active', 'aud', 'email', 'entitlements', 'exp', 'iat', 'isSuperAdmin', 'iss', 'jti', 'name', 'organizations', 'roles', 'scope', 'sub', 'token_type', 'type', 'username']);
      expect(a).toMatchObject({
        active: true, token_type: 'Bearer', type: 'user', sub: admin.user.id, username: admin.email, scope: '', email: admin.email, name: 'Test User', isSuperAdmin: false,
        iss: claims.iss, aud: claims.aud, jti: claims.jti, iat: claims.iat, exp: claims.exp, entitlements: ['cap:catalog.sign'], roles: ['role:publisher'],
      });
      const orgs = a.organizations as Array<Record<string, unknown> & { capabilities: string[] }>;
      expect(orgs).toHaveLength(1);
      expect(fields(orgs[0]!)).toEqual(['capabilities', 'id', 'name', 'role', 'slug']);
      expect(orgs[0]).toMatchObject({ id: admin.orgId, slug: admin.slug, role: 'admin' });
      // Effective set: role-implied ∪ global capability grants.
      expect(orgs[0]!.capabilities).toEqual(expect.arrayContaining(['cap:catalog.read', 'cap:catalog.publish', 'cap:catalog.sign']));
      expect((await answer(sa)).isSuperAdmin).toBe(true);
    });

    it('agent token', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId, { capabilities: ['cap:catalog.read', 'cap:runtime.execute'] });
      const a = await answer(agent.token);
      const claims = decode(agent.token).claims;
      expect(fields(a)).toEqual(['active', 'agentId', 'aud', 'capabilities', 'client_id', 'exp', 'iat', 'isSuperAdmin', 'iss', 'jti', 'name', 'orgId', 'organizations', 'scope', 'sub', 'token_type', 'type', 'username']);
      expect(a).toMatchObject({
        active: true, token_type: 'Bearer', type: 'agent', sub: agent.agent.id, client_id: agent.agent.agentId, username: agent.agent.agentId, name: 'Test Agent',
        isSuperAdmin: false, agentId: agent.agent.agentId, orgId: admin.orgId, iss: claims.iss, aud: claims.aud, jti: claims.jti, iat: claims.iat, exp: claims.exp,
      });
      expect((a.scope as string).split(' ').sort()).toEqual(['cap:catalog.read', 'cap:runtime.execute']);
      expect([...(a.capabilities as string[])].sort()).toEqual(['cap:catalog.read', 'cap:runtime.execute']);
      const orgs = a.organizations as Array<Record<string, unknown> & { capabilities: string[] }>;
      expect(orgs).toHaveLength(1);
      expect(fields(orgs[0]!)).toEqual(['capabilities', 'id', 'name', 'role', 'slug']);
      expect(orgs[0]).toMatchObject({ id: admin.orgId, slug: admin.slug, role: 'agent' });
      expect([...orgs[0]!.capabilities].sort()).toEqual(['cap:catalog.read', 'cap:runtime.execute']);
    });

    it('API key: bound and unbound, with and without expiry', async () => {
      const admin = await s.orgAdmin();
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const bound = await s.key(admin.token, { name: 'bound key', orgId: admin.orgId, scopes: ['catalog:read', 'logging:ingest'], serviceId: 'ci-runner', env: 'staging', expiresAt });
      const a = await answer(bound.key);
      expect(fields(a)).toEqual(['active', 'client_id', 'email', 'env', 'exp', 'iat', 'isSuperAdmin', 'keyId', 'name', 'orgId', 'organizations', 'scope', 'scopes', 'serviceId', 'sub', 'token_type', 'type', 'username']);
      expect(a).toMatchObject({
        active: true, token_type: 'api_key', type: 'api_key', sub: admin.user.id, client_id: bound.id, username: admin.email, email: admin.email, isSuperAdmin: false,
        keyId: bound.id, orgId: admin.orgId, scopes: ['catalog:read', 'logging:ingest'], scope: 'catalog:read logging:ingest', serviceId: 'ci-runner', env: 'staging',
        exp: Math.floor(Date.parse(expiresAt) / 1000),
      });
      // `name` is the key's (the type-specific column of the table; the creator is `sub`/`email`/`username`).
      expect(a.name).toBe('bound key');
      expect(a.iat).toBe(Math.floor(Date.parse((bound as unknown as { createdAt: string }).createdAt) / 1000));
      const orgs = a.organizations as Array<{ id: string; capabilities: string[] }>;
      expect(orgs.map((o) => o.id)).toEqual([admin.orgId]);
      expect([...orgs[0]!.capabilities].sort()).toEqual(['cap:catalog.read', 'cap:logging.ingest']);

      // Unbound and without expiry: the creator's orgs, no `exp`.
      const second = await s.register({ orgName: `Second ${s.unique()}` });
      const invite = await h.http.post(`/api/orgs/${admin.orgId}/members/invite`).set(auth(admin.token)).send({ email: second.email, role: 'viewer' });
      expect(invite.status).toBe(201);
      const unbound = await s.key(second.token, { name: 'unbound', scopes: ['catalog:*'] });
      const b = await answer(unbound.key);
      expect(b).not.toHaveProperty('exp');
      expect(b).toMatchObject({ orgId: null, serviceId: null, env: null, scopes: ['catalog:*'] });
      const bOrgs = b.organizations as Array<{ id: string; role: string; capabilities: string[] }>;
      expect(bOrgs.map((o) => o.id).sort()).toEqual([admin.orgId, second.user.organizations[0]!.id].sort());
      const viewerOrg = bOrgs.find((o) => o.id === admin.orgId)!;
      expect(viewerOrg.role).toBe('viewer');
      expect(viewerOrg.capabilities).toEqual(['cap:catalog.read']);
      const ownOrg = bOrgs.find((o) => o.id !== admin.orgId)!;
      expect(ownOrg.capabilities.every((c) => c.startsWith('cap:catalog.'))).toBe(true);
      expect(ownOrg.capabilities).toEqual(expect.arrayContaining(['cap:catalog.read', 'cap:catalog.write', 'cap:catalog.admin']));
    });

    it('service token', async () => {
      const a = await answer(svc);
      const claims = decode(svc).claims;
      expect(fields(a)).toEqual(['active', 'aud', 'client_id', 'exp', 'iat', 'isSuperAdmin', 'iss', 'jti', 'organizations', 'scope', 'scopes', 'serviceId', 'sub', 'token_type', 'type', 'username']);
      expect(a).toMatchObject({
        active: true, token_type: 'Bearer', type: 'service', sub: 'svc:logging', client_id: 'logging', username: 'logging', isSuperAdmin: false, organizations: [],
        serviceId: 'logging', iss: claims.iss, aud: claims.aud, jti: claims.jti, iat: claims.iat, exp: claims.exp,
      });
      expect(a.scope).toBe((a.scopes as string[]).join(' '));
      expect(a.scopes).toEqual(expect.arrayContaining(['identity:introspect', 'logging:ingest', 'network:events.write', 'integrations:execute']));
    });
  });

  describe('inactive answers are exactly {"active":false}', () => {
    it('for missing, malformed, unknown, expired and revoked tokens and dead principals', async () => {
      const admin = await s.orgAdmin();
      const loggedOut = await s.login(admin.email, admin.password);
      expect((await h.http.post('/api/auth/logout').set(auth(loggedOut))).status).toBe(204);
      const inactiveAgent = await s.agent(admin.token, admin.orgId);
      expect((await h.http.patch(`/api/agents/${inactiveAgent.agent.id}`).set(auth(admin.token)).send({ isActive: false })).status).toBe(200);
      const deletedAgent = await s.agent(admin.token, admin.orgId);
      expect((await h.http.delete(`/api/agents/${deletedAgent.agent.id}`).set(auth(admin.token))).status).toBe(204);
      const revokedKey = await s.key(admin.token);
      expect((await h.http.post(`/api/api-keys/${revokedKey.id}/revoke`).set(auth(admin.token))).status).toBe(200);
      const expiredKey = await s.key(admin.token);
      await h.deps.database.query(`UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiredKey.id]);
      const disabled = await s.register();
      const disabledKey = await s.key(disabled.token);
      expect((await h.http.patch(`/api/admin/users/${disabled.user.id}`).set(auth(sa)).send({ isActive: false })).status).toBe(200);

      const tokens: Record<string, string | undefined> = {
        missing: undefined,
        empty: '',
        malformed: 'abc.def',
        'malformed key': 'sk_123',
        'key, upper-case hex': `sk_${'A'.repeat(64)}`,
        'unknown key': `sk_${'0'.repeat(64)}`,
        'very long garbage': 'x'.repeat(9000),
        'unknown key with a real prefix': `${revokedKey.key.slice(0, 11)}${'0'.repeat(56)}`,
        expired: sign(h, userClaims(h, admin.user.id, { iat: nowSeconds() - 7200, exp: nowSeconds() - 60 })),
        'logged out': loggedOut,
        'inactive agent': inactiveAgent.token,
        'deleted agent': deletedAgent.token,
        'revoked key': revokedKey.key,
        'expired key': expiredKey.key,
        'disabled user': disabled.token,
        "disabled user's key": disabledKey.key,
      };
      for (const [name, token] of Object.entries(tokens)) {
        expect({ name, answer: await answer(token) }).toEqual({ name, answer: INACTIVE });
      }
      // Still alive: the admin's own token.
      expect((await answer(admin.token)).active).toBe(true);
    });
  });

  describe('request formats', () => {
    it('accepts form-urlencoded and JSON alike, ignoring extra RFC parameters', async () => {
      const u = await s.register();
      const json = await introspectAs(auth(svc), { token: u.token, token_type_hint: 'access_token' });
      const form = await h.http.post('/api/auth/introspect').set(auth(svc)).type('form').send({ token: u.token, token_type_hint: 'access_token', client_id: 'logging' });
      expect(form.status).toBe(200);
      expect(form.headers['cache-control']).toBe('no-store');
      expect(form.body).toEqual(json.body);
      const key = await s.key(u.token);
      const formKey = await h.http.post('/api/auth/introspect').set(auth(svc)).type('form').send(`token=${key.key}&token_type_hint=api_key`);
      expect(formKey.body).toMatchObject({ active: true, type: 'api_key' });
      const empty = await h.http.post('/api/auth/introspect').set(auth(svc)).type('form').send('');
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual(INACTIVE);
      // A repeated parameter or a token that is not a string is never a 500.
      const twice = await h.http.post('/api/auth/introspect').set(auth(svc)).type('form').send(`token=${u.token}&token=${u.token}`);
      expect([200, 400]).toContain(twice.status);
      expectProblem(await introspectAs(auth(svc), { token: 42 }), 400, 'VALIDATION_FAILED');
    });

    it('answers 415 for text/plain', async () => {
      const u = await s.register();
      const res = await h.http.post('/api/auth/introspect').set(auth(svc)).set('content-type', 'text/plain').send(`token=${u.token}`);
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('POST /api/auth/verify-api-key', () => {
    it('describes a valid key', async () => {
      const admin = await s.orgAdmin();
      const key = await s.key(admin.token, { name: 'deploy', orgId: admin.orgId, scopes: ['runtime:execute'], serviceId: 'deployer', env: 'prod' });
      const res = await verifyAs(auth(svc), { apiKey: key.key });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual(['createdBy', 'creator', 'env', 'expiresAt', 'keyId', 'name', 'orgId', 'scopes', 'serviceId', 'valid']);
      expect(res.body).toMatchObject({ valid: true, keyId: key.id, name: 'deploy', orgId: admin.orgId, scopes: ['runtime:execute'], serviceId: 'deployer', env: 'prod', expiresAt: null, createdBy: admin.user.id });
      expect(fields(res.body.creator)).toEqual(['email', 'id', 'name', 'organizations']);
      expect(res.body.creator).toMatchObject({ id: admin.user.id, email: admin.email, name: 'Test User' });
      expect(res.body.creator.organizations).toEqual([expect.objectContaining({ id: admin.orgId, role: 'admin' })]);
    });

    it('answers each of the four error strings', async () => {
      const u = await s.register();
      const revoked = await s.key(u.token);
      expect((await h.http.post(`/api/api-keys/${revoked.id}/revoke`).set(auth(u.token))).status).toBe(200);
      const expired = await s.key(u.token);
      await h.deps.database.query(`UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expired.id]);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, 'API key is required'],
        [{ apiKey: '' }, 'API key is required'],
        [{ apiKey: 'sk_short' }, 'Invalid API key'],
        [{ apiKey: u.token }, 'Invalid API key'],
        [{ apiKey: `sk_${'f'.repeat(64)}` }, 'Invalid API key'],
        [{ apiKey: `sk_${'f'.repeat(9000)}` }, 'Invalid API key'],
        [{ apiKey: revoked.key }, 'API key has been revoked'],
        [{ apiKey: expired.key }, 'API key has expired'],
      ];
      for (const [body, error] of cases) {
        const res = await verifyAs(auth(svc), body);
        expect({ body, status: res.status, answer: res.body }).toEqual({ body, status: 200, answer: { valid: false, error } });
      }
      expectProblem(await verifyAs(auth(svc), { apiKey: revoked.key, extra: true }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /api/auth/revoke (RFC 7009)', () => {
    it('revokes the caller\'s own token at once and publishes identity.token.revoked', async () => {
      const u = await s.register();
      const other = await s.login(u.email, u.password);
      const claims = decode(other).claims;
      const res = await h.http.post('/api/auth/revoke').set(auth(u.token)).send({ token: other });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect(await answer(other)).toEqual(INACTIVE);
      expectProblem(await h.http.get('/api/auth/me').set(auth(other)), 401, 'AUTH_INVALID');
      expect(h.events).toContainEqual({ type: 'identity.token.revoked', payload: { jti: claims.jti, sub: u.user.id, exp: claims.exp } });
      // Its own presenting token, through a form body.
      const self = await h.http.post('/api/auth/revoke').set(auth(u.token)).type('form').send({ token: u.token, token_type_hint: 'access_token' });
      expect(self.status).toBe(200);
      expect(self.body).toEqual({});
      expect(await answer(u.token)).toEqual(INACTIVE);
    });

    it('answers {} for unknown tokens and for another user\'s token, which stays alive', async () => {
      const u = await s.register();
      const victim = await s.register();
      for (const token of ['unknown', `sk_${'0'.repeat(64)}`, sign(h, userClaims(h, victim.user.id), { secret: 'x'.repeat(32) }), victim.token]) {
        const res = await h.http.post('/api/auth/revoke').set(auth(u.token)).send({ token });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({});
      }
      const noToken = await h.http.post('/api/auth/revoke').set(auth(u.token)).send({});
      expect(noToken.status).toBe(200);
      expect(noToken.body).toEqual({});
      expect((await answer(victim.token)).active).toBe(true);
      expect((await answer(u.token)).active).toBe(true);
    });

    it('lets a service and a super admin revoke any token; anonymous callers get 401', async () => {
      const a = await s.register();
      const b = await s.register();
      expect((await h.http.post('/api/auth/revoke').set(auth(svc)).send({ token: a.token })).body).toEqual({});
      expect((await h.http.post('/api/auth/revoke').set(auth(sa)).type('form').send({ token: b.token })).body).toEqual({});
      expect(await answer(a.token)).toEqual(INACTIVE);
      expect(await answer(b.token)).toEqual(INACTIVE);
      const c = await s.register();
      const anon = await h.http.post('/api/auth/revoke').send({ token: c.token });
      expectProblem(anon, 401, 'AUTH_REQUIRED');
      expectProblem(await h.http.post('/api/auth/revoke').set(auth('bad.token.here')).send({ token: c.token }), 401, 'AUTH_INVALID');
      expect((await answer(c.token)).active).toBe(true);
    });
  });
});
