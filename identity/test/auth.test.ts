import { describeEachEngine } from '@symbia/db/testing';
import type { Response } from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHeader, auth, auditRows, expectProblem, fields, scenario, writesNothing } from './api-support.js';
import { ADMIN, createHarness, tableCounts, type Harness } from './harness.js';
import { decode } from './token-forge.js';

/** §2.3 register, login, logout, refresh, me, config, jwks, forgot/reset password; §2.1 passwords. */

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORD = 'correct-horse-battery-staple';
const cookieFor = (token: string) => `token=${token}; HttpOnly; Path=/; SameSite=Lax; Max-Age=604800`;
const CLEARED = 'token=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0';
const ORIGIN = 'https://app.symbia.test';

function setCookies(res: Response): string[] {
  const raw = res.headers['set-cookie'] as unknown;
  return Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)];
}

/** What a user token claims, checked against §2.1's table. */
function expectUserToken(token: string, user: { id: string; email: string; name: string }, issuer: string) {
  const { header, claims } = decode(token);
  expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
  expect(fields(claims)).toEqual(['aud', 'email', 'exp', 'iat', 'iss', 'jti', 'name', 'sub', 'type']);
  expect(claims).toMatchObject({ iss: issuer, aud: 'symbia', sub: user.id, type: 'user', email: user.email, name: user.name });
  expect(claims.jti).toMatch(UUID);
  expect((claims.exp as number) - (claims.iat as number)).toBe(604_800);
  return claims as { jti: string; sub: string; exp: number; iat: number };
}

describeEachEngine('identity auth endpoints', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  const me = (token: string) => h.http.get('/api/auth/me').set(auth(token));

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetRateLimits());

  describe('register', () => {
    it('creates the user on both paths, with a token, cookie and no-store', async () => {
      for (const path of ['/api/auth/user/register', '/api/auth/register']) {
        const email = `reg-${s.unique()}@example.test`;
        const res = await h.http.post(path).send({ email: `  ${email.toUpperCase()} `, password: PASSWORD, name: '  Ada Lovelace ' });
        expect(res.status).toBe(201);
        expect(fields(res.body)).toEqual(['expiresAt', 'token', 'user']);
        expect(fields(res.body.user)).toEqual(['createdAt', 'email', 'id', 'isSuperAdmin', 'name', 'organizations']);
        expect(res.body.user).toMatchObject({ email, name: 'Ada Lovelace', isSuperAdmin: false, organizations: [] });
        expect(res.body.user.id).toMatch(UUID);
        expect(res.body.user.createdAt).toMatch(ISO_MS);
        const claims = expectUserToken(res.body.token, res.body.user, 'symbia-identity');
        expect(res.body.expiresAt).toBe(new Date(claims.exp * 1000).toISOString());
        expect(setCookies(res)).toEqual([cookieFor(res.body.token)]);
        expect(res.headers['cache-control']).toBe('no-store');
        expect((await me(res.body.token)).status).toBe(200);
      }
    });

    it('creates the named org with the user as admin, de-duplicating the slug', async () => {
      const name = `Blue Whale ${s.unique()}`;
      const slug = name.toLowerCase().replace(/ /g, '-');
      const first = await s.register({ orgName: name });
      const second = await s.register({ orgName: name });
      expect(first.user.organizations).toEqual([{ id: expect.stringMatching(UUID), name, slug, role: 'admin' }]);
      expect(second.user.organizations).toEqual([{ id: expect.stringMatching(UUID), name, slug: `${slug}-2`, role: 'admin' }]);
      expect(fields(first.user.organizations[0]!)).toEqual(['id', 'name', 'role', 'slug']);
    });

    it('rejects malformed bodies with VALIDATION_FAILED and writes nothing', async () => {
      const good = { email: `v-${s.unique()}@example.test`, password: PASSWORD, name: 'Val' };
      const bad: Array<[Record<string, unknown>, string]> = [
        [{ ...good, email: 'not-an-email' }, 'email'],
        [{ ...good, email: `${'a'.repeat(250)}@x.io` }, 'email'],
        [{ ...good, password: 'short7!' }, 'password'],
        [{ ...good, password: 'x'.repeat(129) }, 'password'],
        [{ ...good, name: '' }, 'name'],
        [{ ...good, name: 'n'.repeat(101) }, 'name'],
        [{ ...good, orgName: 'o'.repeat(101) }, 'orgName'],
        [{ ...good, isSuperAdmin: true }, 'isSuperAdmin'],
        [{ email: good.email, password: good.password }, 'name'],
      ];
      await writesNothing(h, async () => {
        for (const [body, path] of bad) {
          const res = await h.http.post('/api/auth/register').send(body);
          expectProblem(res, 400, 'VALIDATION_FAILED');
          expect(res.body.errors.length).toBeGreaterThan(0);
          expect(res.body.errors[0]).toMatchObject({ location: 'body', path });
        }
        const proto = await h.http.post('/api/auth/register').set('content-type', 'application/json').send(`{"email":"${good.email}","password":"${PASSWORD}","name":"P","__proto__":{"isSuperAdmin":true}}`);
        expectProblem(proto, 400, 'VALIDATION_FAILED');
        const text = await h.http.post('/api/auth/register').set('content-type', 'text/plain').send(JSON.stringify(good));
        expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
        const broken = await h.http.post('/api/auth/register').set('content-type', 'application/json').send('{"email":');
        expectProblem(broken, 400, 'MALFORMED_JSON');
      });
    });

    it('refuses a common password and one equal to the email (IDENTITY_PASSWORD_WEAK), writing nothing', async () => {
      const email = `weak-${s.unique()}@example.test`;
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/register').send({ email, password: 'password123', name: 'W' }), 400, 'IDENTITY_PASSWORD_WEAK');
        expectProblem(await h.http.post('/api/auth/register').send({ email, password: 'PassWord123', name: 'W' }), 400, 'IDENTITY_PASSWORD_WEAK');
        expectProblem(await h.http.post('/api/auth/register').send({ email, password: email.toUpperCase(), name: 'W' }), 400, 'IDENTITY_PASSWORD_WEAK');
      });
    });

    it('answers 409 IDENTITY_EMAIL_TAKEN for a registered email in any case, writing nothing', async () => {
      const u = await s.register();
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/register').send({ email: u.email, password: 'another-fine-passphrase', name: 'Dup' }), 409, 'IDENTITY_EMAIL_TAKEN');
        expectProblem(await h.http.post('/api/auth/user/register').send({ email: ` ${u.email.toUpperCase()}`, password: 'another-fine-passphrase', name: 'Dup', orgName: 'Dup Org' }), 409, 'IDENTITY_EMAIL_TAKEN');
      });
    });

    it('ignores a stale credential on this no-auth route', async () => {
      const res = await h.http.post('/api/auth/register').set('authorization', 'Bearer not-a-token').send({ email: `stale-${s.unique()}@example.test`, password: PASSWORD, name: 'S' });
      expect(res.status).toBe(201);
    });
  });

  describe('passwords (§2.1)', () => {
    it('accepts 8 and 128 characters and logs in with them', async () => {
      for (const password of ['Zq8#kT2m', `${'Long-passphrase-'.repeat(8)}`]) {
        expect(password.length === 8 || password.length === 128).toBe(true);
        const u = await s.register({ password });
        await s.login(u.email, password);
      }
    });

    it('never truncates: a byte past 72 that differs does not log in', async () => {
      for (const prefix of ['k'.repeat(72), 'é'.repeat(36)]) {
        expect(Buffer.byteLength(prefix)).toBe(72);
        const u = await s.register({ password: `${prefix}-right` });
        const wrong = await h.http.post('/api/auth/login').send({ email: u.email, password: `${prefix}-wrong` });
        expectProblem(wrong, 401, 'IDENTITY_CREDENTIALS_INVALID');
        const prefixOnly = await h.http.post('/api/auth/login').send({ email: u.email, password: prefix });
        expectProblem(prefixOnly, 401, 'IDENTITY_CREDENTIALS_INVALID');
        expect((await h.http.post('/api/auth/login').send({ email: u.email, password: `${prefix}-right` })).status).toBe(200);
      }
    });
  });

  describe('login', () => {
    it('logs in on both paths with email or username, with cookie, no-store and rate-limit headers', async () => {
      const u = await s.register({ name: 'Grace', orgName: `Login Org ${s.unique()}` });
      const bodies = [
        ['/api/auth/user/login', { email: u.email, password: u.password }],
        ['/api/auth/login', { email: u.email.toUpperCase(), password: u.password }],
        ['/api/auth/login', { username: u.email, password: u.password }],
        ['/api/auth/user/login', { username: ` ${u.email} `, password: u.password }],
      ] as const;
      for (const [path, body] of bodies) {
        const res = await h.http.post(path).send(body);
        expect(res.status).toBe(200);
        expect(fields(res.body)).toEqual(['expiresAt', 'token', 'user']);
        expect(fields(res.body.user)).toEqual(['email', 'id', 'isSuperAdmin', 'name', 'organizations']);
        expect(res.body.user).toMatchObject({ id: u.user.id, email: u.email, name: 'Grace', isSuperAdmin: false });
        expect(res.body.user.organizations).toEqual([{ id: u.user.organizations[0]!.id, name: expect.any(String), slug: u.user.organizations[0]!.slug, role: 'admin' }]);
        const claims = expectUserToken(res.body.token, res.body.user, 'symbia-identity');
        expect(res.body.expiresAt).toBe(new Date(claims.exp * 1000).toISOString());
        expect(setCookies(res)).toEqual([cookieFor(res.body.token)]);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['x-ratelimit-limit']).toBe('30');
        expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(30);
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
      }
    });

    it('answers the super admin with isSuperAdmin true', async () => {
      const res = await h.http.post('/api/auth/login').send(ADMIN);
      expect(res.status).toBe(200);
      expect(res.body.user.isSuperAdmin).toBe(true);
    });

    it('rejects bad bodies with 400 and a wrong password with 401 IDENTITY_CREDENTIALS_INVALID', async () => {
      const u = await s.register();
      for (const body of [{ password: u.password }, { email: u.email }, { email: u.email, password: '' }, { email: u.email, password: 'p'.repeat(129) }, { email: 'nope', password: 'x' }, { email: u.email, password: u.password, remember: true }]) {
        expectProblem(await h.http.post('/api/auth/login').send(body), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await h.http.post('/api/auth/login').send({ email: u.email, password: `${u.password}!` }), 401, 'IDENTITY_CREDENTIALS_INVALID');
    });

    it('writes exactly one user.login_failed audit entry for a failed login, and nothing else', async () => {
      const u = await s.register();
      const before = await tableCounts(h);
      const failedBefore = (await auditRows(h, { action: 'user.login_failed' })).length;
      expectProblem(await h.http.post('/api/auth/login').send({ email: u.email, password: 'wrong-password-here' }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      const after = await tableCounts(h);
      const auditTable = Object.keys(before).find((t) => t.includes('audit'))!;
      expect(after).toEqual({ ...before, [auditTable]: before[auditTable]! + 1 });
      const failed = await auditRows(h, { action: 'user.login_failed' });
      expect(failed.length).toBe(failedBefore + 1);
      expect(JSON.stringify(failed.at(-1))).not.toContain('wrong-password-here');
      // A validation failure writes nothing at all.
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/login').send({ email: u.email }), 400, 'VALIDATION_FAILED');
      });
    });

    it('ignores a stale credential on this no-auth route', async () => {
      const u = await s.register();
      const res = await h.http.post('/api/auth/login').set('authorization', 'Bearer stale.token.value').set('cookie', 'token=expired').send({ email: u.email, password: u.password });
      expect(res.status).toBe(200);
    });
  });

  describe('logout', () => {
    it('revokes the presented JWT at once, clears the cookie and publishes identity.token.revoked', async () => {
      const u = await s.register();
      const token = await s.login(u.email, u.password);
      const claims = decode(token).claims;
      const res = await h.http.post('/api/auth/logout').set(auth(token));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(setCookies(res)).toEqual([CLEARED]);
      expectProblem(await me(token), 401, 'AUTH_INVALID');
      expect(h.events).toContainEqual({ type: 'identity.token.revoked', payload: { jti: claims.jti, sub: u.user.id, exp: claims.exp } });
      // The user's other token is untouched.
      expect((await me(u.token)).status).toBe(200);
    });

    it('revokes the cookie token when logged out through the cookie', async () => {
      const u = await s.register();
      const token = await s.login(u.email, u.password);
      const res = await h.http.post('/api/auth/logout').set('cookie', `token=${token}`).set('origin', ORIGIN);
      expect(res.status).toBe(204);
      expect(setCookies(res)).toEqual([CLEARED]);
      expectProblem(await me(token), 401, 'AUTH_INVALID');
    });

    it('answers 204 and clears the cookie without a credential, or with a dead one', async () => {
      const anon = await h.http.post('/api/auth/logout');
      expect(anon.status).toBe(204);
      expect(setCookies(anon)).toEqual([CLEARED]);
      const u = await s.register();
      const token = await s.login(u.email, u.password);
      expect((await h.http.post('/api/auth/logout').set(auth(token))).status).toBe(204);
      const again = await h.http.post('/api/auth/logout').set(auth(token));
      expect(again.status).toBe(204);
      expect(setCookies(again)).toEqual([CLEARED]);
    });
  });

  describe('refresh', () => {
    it('exchanges a user JWT on both paths: the old one dies, the new one lives', async () => {
      const u = await s.register();
      let token = u.token;
      for (const path of ['/api/auth/refresh', '/api/auth/user/refresh']) {
        const old = decode(token).claims;
        const res = await h.http.post(path).set(auth(token));
        expect(res.status).toBe(200);
        expect(fields(res.body)).toEqual(['expiresAt', 'token', 'type']);
        expect(res.body.type).toBe('user');
        expect(res.headers['cache-control']).toBe('no-store');
        const claims = expectUserToken(res.body.token, { id: u.user.id, email: u.email, name: 'Test User' }, 'symbia-identity');
        expect(res.body.expiresAt).toBe(new Date(claims.exp * 1000).toISOString());
        expectProblem(await me(token), 401, 'AUTH_INVALID');
        expect((await me(res.body.token)).status).toBe(200);
        expect(h.events).toContainEqual({ type: 'identity.token.revoked', payload: { jti: old.jti, sub: u.user.id, exp: old.exp } });
        expectProblem(await h.http.post(path).set(auth(token)), 401, 'AUTH_INVALID');
        token = res.body.token;
      }
    });

    it('refreshes through the cookie, setting the new cookie', async () => {
      const u = await s.register();
      const res = await h.http.post('/api/auth/refresh').set('cookie', `token=${u.token}`).set('origin', ORIGIN);
      expect(res.status).toBe(200);
      expect(setCookies(res)).toEqual([cookieFor(res.body.token)]);
      expectProblem(await me(u.token), 401, 'AUTH_INVALID');
    });

    it('exchanges an agent JWT on /refresh and /agent/refresh', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      let token = agent.token;
      for (const path of ['/api/auth/refresh', '/api/auth/agent/refresh']) {
        const res = await h.http.post(path).set(auth(token));
        expect(res.status).toBe(200);
        expect(fields(res.body)).toEqual(['expiresAt', 'token', 'type']);
        expect(res.body.type).toBe('agent');
        expect(decode(res.body.token).claims).toMatchObject({ type: 'agent', sub: agent.agent.id });
        expectProblem(await me(token), 401, 'AUTH_INVALID');
        expect((await me(res.body.token)).body.type).toBe('agent');
        token = res.body.token;
      }
    });

    it('refuses the wrong principal with the type-specific 403 and anonymous callers with 401', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const key = await s.key(admin.token);
      const svc = await s.serviceToken('logging');
      expectProblem(await h.http.post('/api/auth/user/refresh').set(auth(agent.token)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.post('/api/auth/user/refresh').set(apiKeyHeader(key.key)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.post('/api/auth/user/refresh').set(auth(svc)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.post('/api/auth/agent/refresh').set(auth(admin.token)), 403, 'IDENTITY_AGENT_TOKEN_REQUIRED');
      expectProblem(await h.http.post('/api/auth/agent/refresh').set(auth(svc)), 403, 'IDENTITY_AGENT_TOKEN_REQUIRED');
      for (const path of ['/api/auth/refresh', '/api/auth/user/refresh', '/api/auth/agent/refresh']) {
        const res = await h.http.post(path);
        expectProblem(res, 401, 'AUTH_REQUIRED');
        expect(res.headers['www-authenticate']).toBe('Bearer realm="symbia"');
      }
      // Nothing was revoked by the refused calls.
      expect((await me(agent.token)).status).toBe(200);
      expect((await me(admin.token)).status).toBe(200);
    });
  });

  describe('GET /api/auth/me and the typed variants', () => {
    it('describes a user', async () => {
      const u = await s.orgAdmin();
      for (const via of [auth(u.token), { cookie: `token=${u.token}` }]) {
        const res = await h.http.get('/api/auth/me').set(via);
        expect(res.status).toBe(200);
        expect(fields(res.body)).toEqual(['organizations', 'type', 'user']);
        expect(res.body.type).toBe('user');
        expect(fields(res.body.user)).toEqual(['createdAt', 'email', 'entitlements', 'id', 'isSuperAdmin', 'name', 'roles']);
        expect(res.body.user).toMatchObject({ id: u.user.id, email: u.email, isSuperAdmin: false, entitlements: [], roles: [] });
        expect(res.body.organizations).toHaveLength(1);
        expect(fields(res.body.organizations[0])).toEqual(['capabilities', 'id', 'name', 'role', 'slug']);
        expect(res.body.organizations[0]).toMatchObject({ id: u.orgId, role: 'admin' });
        expect(res.body.organizations[0].capabilities).toEqual(expect.arrayContaining(['cap:catalog.read', 'cap:catalog.write', 'cap:catalog.admin']));
        expect(res.body.organizations[0].capabilities).not.toContain('cap:catalog.sign');
      }
      const userMe = await h.http.get('/api/auth/user/me').set(auth(u.token));
      expect(userMe.status).toBe(200);
      expect(fields(userMe.body)).toEqual(['organizations', 'user']);
      expect(fields(userMe.body.user)).toEqual(['createdAt', 'email', 'entitlements', 'id', 'isSuperAdmin', 'name', 'roles']);
      expect(fields(userMe.body.organizations[0])).toEqual(['capabilities', 'id', 'name', 'role', 'slug']);
    });

    it('describes an agent', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId, { capabilities: ['cap:catalog.read', 'cap:registry.write'] });
      const res = await me(agent.token);
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['agent', 'type']);
      expect(res.body.type).toBe('agent');
      expect(fields(res.body.agent)).toEqual(['agentId', 'capabilities', 'id', 'isActive', 'name', 'orgId']);
      expect(res.body.agent).toMatchObject({ id: agent.agent.id, agentId: agent.agent.agentId, orgId: admin.orgId, isActive: true });
      expect([...res.body.agent.capabilities].sort()).toEqual(['cap:catalog.read', 'cap:catalog.write']);
      const agentMe = await h.http.get('/api/auth/agent/me').set(auth(agent.token));
      expect(agentMe.status).toBe(200);
      expect(agentMe.body).toEqual({ agent: res.body.agent });
    });

    it('describes an API key (bearer or X-API-Key)', async () => {
      const admin = await s.orgAdmin();
      const key = await s.key(admin.token, { name: 'ci key', orgId: admin.orgId, scopes: ['catalog:read', 'logging:*'] });
      for (const via of [apiKeyHeader(key.key), auth(key.key)]) {
        const res = await h.http.get('/api/auth/me').set(via);
        expect(res.status).toBe(200);
        expect(fields(res.body)).toEqual(['apiKey', 'organizations', 'type', 'user']);
        expect(res.body.type).toBe('api_key');
        expect(res.body.apiKey).toEqual({ id: key.id, name: 'ci key', keyPrefix: key.key.slice(0, 11), orgId: admin.orgId, scopes: ['catalog:read', 'logging:*'], expiresAt: null });
        expect(res.body.user).toEqual({ id: admin.user.id, email: admin.email, name: 'Test User' });
        expect(res.body.organizations).toHaveLength(1);
        const caps = [...res.body.organizations[0].capabilities].sort();
        expect(caps).toContain('cap:catalog.read');
        expect(caps).toContain('cap:logging.admin');
        expect(caps).not.toContain('cap:catalog.write');
        expect(caps.every((c: string) => c === 'cap:catalog.read' || c.startsWith('cap:logging.'))).toBe(true);
      }
    });

    it('describes a service', async () => {
      const res = await me(await s.serviceToken('logging'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ type: 'service', service: { serviceId: 'logging', scopes: expect.arrayContaining(['identity:introspect', 'logging:ingest', 'network:events.write', 'integrations:execute']) } });
    });

    it('refuses the wrong principal on the typed variants, and anonymous callers everywhere', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const key = await s.key(admin.token);
      const svc = await s.serviceToken('network');
      for (const cred of [auth(agent.token), apiKeyHeader(key.key), auth(svc)]) {
        expectProblem(await h.http.get('/api/auth/user/me').set(cred), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      }
      for (const cred of [auth(admin.token), apiKeyHeader(key.key), auth(svc)]) {
        expectProblem(await h.http.get('/api/auth/agent/me').set(cred), 403, 'IDENTITY_AGENT_TOKEN_REQUIRED');
      }
      for (const path of ['/api/auth/me', '/api/auth/user/me', '/api/auth/agent/me']) {
        const res = await h.http.get(path);
        expectProblem(res, 401, 'AUTH_REQUIRED');
        expect(res.headers['www-authenticate']).toBe('Bearer realm="symbia"');
      }
    });

    it('uses only the first credential present and never reads the query string', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      expectProblem(await h.http.get('/api/auth/me').set('authorization', 'Bearer garbage').set(apiKeyHeader(key.key)), 401, 'AUTH_INVALID');
      expectProblem(await h.http.get('/api/auth/me').set(apiKeyHeader('sk_nope')).set('cookie', `token=${u.token}`), 401, 'AUTH_INVALID');
      expectProblem(await h.http.get('/api/auth/me').set(apiKeyHeader(u.token)), 401, 'AUTH_INVALID');
      expect((await h.http.get('/api/auth/me').set('authorization', 'Basic dXNlcjpwYXNz')).status).toBe(401);
      for (const q of [`token=${u.token}`, `access_token=${u.token}`, `apiKey=${key.key}`, `api_key=${key.key}`]) {
        expectProblem(await h.http.get(`/api/auth/me?${q}`), 401, 'AUTH_REQUIRED');
      }
    });

    it('refuses a cookie-authenticated POST without an allowed Origin', async () => {
      const u = await s.register();
      expectProblem(await h.http.post('/api/auth/refresh').set('cookie', `token=${u.token}`), 403, 'AUTH_CSRF_REJECTED');
      expectProblem(await h.http.post('/api/auth/refresh').set('cookie', `token=${u.token}`).set('origin', 'https://evil.example'), 403, 'AUTH_CSRF_REJECTED');
      expect((await me(u.token)).status).toBe(200);
    });
  });

  describe('config and jwks', () => {
    it('GET /api/auth/config', async () => {
      const res = await h.http.get('/api/auth/config').set('authorization', 'Bearer ignored');
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['identityServiceUrl', 'loginUrl', 'logoutUrl', 'registrationOpen']);
      expect(res.body.registrationOpen).toBe(true);
      for (const k of ['identityServiceUrl', 'loginUrl', 'logoutUrl']) expect(typeof res.body[k]).toBe('string');
      expect(res.body.loginUrl).toMatch(/\/api\/auth\/login$/);
      expect(res.body.logoutUrl).toMatch(/\/api\/auth\/logout$/);
    });

    it('GET /.well-known/jwks.json', async () => {
      const res = await h.http.get('/.well-known/jwks.json');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ keys: [], introspection_endpoint: '/api/auth/introspect', introspect_endpoint: '/api/auth/introspect' });
    });
  });

  describe('forgot and reset password', () => {
    const FORGOT = { message: 'If that account exists, a reset link has been sent.', emailEnabled: true };

    async function resetTokenFor(email: string): Promise<string> {
      const res = await h.http.get('/api/admin/email-outbox').set(auth(await s.admin()));
      expect(res.status).toBe(200);
      const mail = (res.body.messages as Array<{ to: string; body: string; createdAt: string }>).filter((m) => m.to === email).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      expect(mail).toBeDefined();
      const token = /(?:^|\s)([A-Za-z0-9_-]{43})(?:\s|$)/.exec(mail!.body)?.[1];
      expect(token).toBeDefined();
      return token!;
    }

    it('answers known and unknown emails identically; only a known one stores a message and a reset', async () => {
      const u = await s.register();
      const before = await tableCounts(h);
      const known = await h.http.post('/api/auth/forgot-password').send({ email: u.email.toUpperCase() });
      expect(known.status).toBe(200);
      expect(known.body).toEqual(FORGOT);
      const afterKnown = await tableCounts(h);
      expect(afterKnown.email_outbox).toBe(before.email_outbox! + 1);
      expect(afterKnown.password_resets).toBe(before.password_resets! + 1);
      await writesNothing(h, async () => {
        const unknown = await h.http.post('/api/auth/forgot-password').send({ email: `nobody-${s.unique()}@example.test` });
        expect(unknown.status).toBe(200);
        expect(unknown.body).toEqual(FORGOT);
        expect(fields(unknown.headers).filter((k) => !['x-request-id', 'x-trace-id', 'date', 'etag', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(k))).toEqual(
          fields(known.headers).filter((k) => !['x-request-id', 'x-trace-id', 'date', 'etag', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(k)),
        );
        expectProblem(await h.http.post('/api/auth/forgot-password').send({ email: 'not-an-email' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/auth/forgot-password').send({}), 400, 'VALIDATION_FAILED');
      });
      const token = await resetTokenFor(u.email);
      expect(JSON.stringify(known.body)).not.toContain(token);
    });

    it('resets once with a strong password, revoking every token; the new password works at once', async () => {
      const u = await s.register();
      const second = await s.login(u.email, u.password);
      await h.http.post('/api/auth/forgot-password').send({ email: u.email });
      const token = await resetTokenFor(u.email);

      // A weak password is refused and consumes nothing.
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token, password: 'password123' }), 400, 'IDENTITY_PASSWORD_WEAK');
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token, password: u.email }), 400, 'IDENTITY_PASSWORD_WEAK');
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token, password: 'short' }), 400, 'VALIDATION_FAILED');
      });

      const res = await h.http.post('/api/auth/reset-password').send({ token, password: 'a-brand-new-passphrase' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Password updated' });
      expectProblem(await me(u.token), 401, 'AUTH_INVALID');
      expectProblem(await me(second), 401, 'AUTH_INVALID');
      expect(h.events).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: { userId: u.user.id, notBefore: expect.stringMatching(ISO_MS) } });
      expectProblem(await h.http.post('/api/auth/login').send({ email: u.email, password: u.password }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      const fresh = await s.login(u.email, 'a-brand-new-passphrase');
      expect((await me(fresh)).status).toBe(200);

      // Single use.
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token, password: 'yet-another-passphrase' }), 400, 'IDENTITY_RESET_TOKEN_INVALID');
      });
      expect((await me(fresh)).status).toBe(200);
    });

    it('refuses unknown, expired and malformed reset tokens', async () => {
      const u = await s.register();
      await h.http.post('/api/auth/forgot-password').send({ email: u.email });
      const token = await resetTokenFor(u.email);
      await h.deps.database.query(`UPDATE identity.password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [u.user.id]);
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token, password: 'expired-token-passphrase' }), 400, 'IDENTITY_RESET_TOKEN_INVALID');
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token: 'A'.repeat(43), password: 'unknown-token-passphrase' }), 400, 'IDENTITY_RESET_TOKEN_INVALID');
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token: '', password: 'empty-token-passphrase' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token: 't'.repeat(129), password: 'long-token-passphrase' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/auth/reset-password').send({ token, password: 'p'.repeat(129) }), 400, 'VALIDATION_FAILED');
      });
      await s.login(u.email, u.password);
    });
  });
});
