import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHeader, auth, expectProblem, fields, scenario, writesNothing } from './api-support.js';
import { createHarness, SERVICE_SECRETS, type Harness } from './harness.js';
import { decode, nowSeconds, otherSecret, sign, unsigned, userClaims, withPayload } from './token-forge.js';

/** §2.1 tokens (claims, verification, revocation) and the §2.3 agent and service token endpoints. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describeEachEngine('identity tokens', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  const me = (token: string) => h.http.get('/api/auth/me').set(auth(token));
  const introspect = (token: string) => s.introspect(token);
  /** Dead everywhere: identity's own auth and its introspection answer. */
  async function expectDead(token: string) {
    expectProblem(await me(token), 401, 'AUTH_INVALID');
    expect(await introspect(token)).toEqual({ active: false });
  }
  async function expectAlive(token: string) {
    expect((await me(token)).status).toBe(200);
    expect((await introspect(token)).active).toBe(true);
  }

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetRateLimits());

  describe('claims (§2.1)', () => {
    it('user, agent and service tokens carry exactly the claims of the table', async () => {
      const admin = await s.orgAdmin();
      const user = decode(admin.token);
      expect(user.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(fields(user.claims)).toEqual(['aud', 'email', 'exp', 'iat', 'iss', 'jti', 'name', 'sub', 'type']);
      expect((user.claims.exp as number) - (user.claims.iat as number)).toBe(604_800);

      const agent = await s.agent(admin.token, admin.orgId, { capabilities: ['cap:catalog.read', 'cap:logging.ingest'] });
      const a = decode(agent.token);
      expect(a.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(fields(a.claims)).toEqual(['agentId', 'aud', 'exp', 'iat', 'iss', 'jti', 'name', 'orgId', 'scope', 'sub', 'type']);
      expect(a.claims).toMatchObject({ iss: 'symbia-identity', aud: 'symbia', sub: agent.agent.id, type: 'agent', agentId: agent.agent.agentId, orgId: admin.orgId, name: 'Test Agent' });
      expect((a.claims.scope as string).split(' ').sort()).toEqual(['cap:catalog.read', 'cap:logging.ingest']);
      expect(a.claims.jti).toMatch(UUID);
      expect((a.claims.exp as number) - (a.claims.iat as number)).toBe(86_400);

      const svc = decode(await s.serviceToken('integrations'));
      expect(svc.header).toEqual({ alg: 'HS256', typ: 'JWT' });
      expect(fields(svc.claims)).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'serviceId', 'sub', 'type']);
      expect(svc.claims).toMatchObject({ iss: 'symbia-identity', aud: 'symbia', sub: 'svc:integrations', type: 'service', serviceId: 'integrations' });
      expect((svc.claims.scope as string).split(' ')).toEqual(expect.arrayContaining(['identity:introspect', 'identity:credentials.read']));
      expect(svc.claims.jti).toMatch(UUID);
      expect((svc.claims.exp as number) - (svc.claims.iat as number)).toBe(900);
    });
  });

  describe('verification refuses forged, bent and expired tokens', () => {
    it('answers 401 AUTH_INVALID on /api/auth/me and {active:false} on introspection', async () => {
      const u = await s.register();
      const other = await s.register();
      const good = userClaims(h, u.user.id);
      // The crafting itself is sound: the real secret with the right claims is accepted.
      await expectAlive(sign(h, good));
      // Header hints never select a key, so they change nothing for a well-signed token…
      await expectAlive(sign(h, userClaims(h, u.user.id), { header: { kid: 'other-key', jku: 'https://evil.example/jwks.json' } }));
      // …and a token within the 30 s skew is still accepted.
      await expectAlive(sign(h, userClaims(h, u.user.id, { iat: nowSeconds() - 3600, exp: nowSeconds() - 10 })));

      const drop = (k: string) => {
        const c = userClaims(h, u.user.id);
        delete c[k];
        return c;
      };
      const attacker = otherSecret();
      const cases: Record<string, string> = {
        'alg none': unsigned(userClaims(h, u.user.id)),
        'alg none with a real signature': `${unsigned(userClaims(h, u.user.id)).split('.').slice(0, 2).join('.')}.${u.token.split('.')[2]}`,
        'alg HS512 with the real secret': sign(h, userClaims(h, u.user.id), { algorithm: 'HS512' }),
        'payload changed (sub), old signature': withPayload(u.token, (c) => ({ ...c, sub: other.user.id })),
        'payload changed (exp), old signature': withPayload(u.token, (c) => ({ ...c, exp: (c.exp as number) + 86_400 })),
        'wrong secret': sign(h, userClaims(h, u.user.id), { secret: attacker }),
        'wrong secret, kid hint': sign(h, userClaims(h, u.user.id), { secret: attacker, header: { kid: 'attacker' } }),
        'wrong secret, jku hint': sign(h, userClaims(h, u.user.id), { secret: attacker, header: { jku: 'https://evil.example/jwks.json' } }),
        'wrong secret, jwk hint': sign(h, userClaims(h, u.user.id), { secret: attacker, header: { jwk: { kty: 'oct', k: Buffer.from(attacker).toString('base64url') } } }),
        'wrong secret, x5u hint': sign(h, userClaims(h, u.user.id), { secret: attacker, header: { x5u: 'https://evil.example/cert.pem' } }),
        'wrong iss': sign(h, userClaims(h, u.user.id, { iss: 'someone-else' })),
        'wrong aud': sign(h, userClaims(h, u.user.id, { aud: 'not-symbia' })),
        'missing jti': sign(h, drop('jti')),
        'missing type': sign(h, drop('type')),
        'missing sub': sign(h, drop('sub')),
        'missing iss': sign(h, drop('iss')),
        'missing aud': sign(h, drop('aud')),
        'missing iat': sign(h, drop('iat')),
        'missing exp': sign(h, drop('exp')),
        'unknown type': sign(h, userClaims(h, u.user.id, { type: 'admin' })),
        'jti not a uuid': sign(h, userClaims(h, u.user.id, { jti: 'abc' })),
        'unknown user': sign(h, userClaims(h, '00000000-0000-4000-8000-000000000000')),
        expired: sign(h, userClaims(h, u.user.id, { iat: nowSeconds() - 7200, exp: nowSeconds() - 60 })),
        'not a JWT': 'definitely-not-a-jwt',
        'four segments': `${u.token}.extra`,
      };
      for (const [name, token] of Object.entries(cases)) {
        const res = await me(token);
        expect({ name, status: res.status, code: res.body.code }).toEqual({ name, status: 401, code: 'AUTH_INVALID' });
        expect({ name, answer: await introspect(token) }).toEqual({ name, answer: { active: false } });
      }
      // The genuine token was never affected.
      await expectAlive(u.token);
    });
  });

  describe('POST /api/auth/service/token', () => {
    const expectServiceToken = (body: Record<string, unknown>, serviceId: string) => {
      expect(fields(body)).toEqual(['expiresAt', 'expiresIn', 'token', 'tokenType']);
      expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
      const claims = decode(body.token as string).claims;
      expect(claims).toMatchObject({ sub: `svc:${serviceId}`, type: 'service', serviceId });
      expect(body.expiresAt).toBe(new Date((claims.exp as number) * 1000).toISOString());
    };

    it('issues a token for JSON credentials and for Basic credentials', async () => {
      const json = await h.http.post('/api/auth/service/token').send({ serviceId: 'logging', secret: SERVICE_SECRETS.logging });
      expect(json.status).toBe(200);
      expect(json.headers['cache-control']).toBe('no-store');
      expectServiceToken(json.body, 'logging');
      await expectAlive(json.body.token);

      const basic = await h.http.post('/api/auth/service/token').set('authorization', `Basic ${Buffer.from(`network:${SERVICE_SECRETS.network}`).toString('base64')}`);
      expect(basic.status).toBe(200);
      expect(basic.headers['cache-control']).toBe('no-store');
      expectServiceToken(basic.body, 'network');
      await expectAlive(basic.body.token);
    });

    it('answers wrong and unknown credentials with the same 401', async () => {
      const wrong = await h.http.post('/api/auth/service/token').send({ serviceId: 'logging', secret: SERVICE_SECRETS.network });
      const unknown = await h.http.post('/api/auth/service/token').send({ serviceId: 'nobody', secret: SERVICE_SECRETS.network });
      const basic = await h.http.post('/api/auth/service/token').set('authorization', `Basic ${Buffer.from(`logging:svc_${'0'.repeat(64)}`).toString('base64')}`);
      for (const res of [wrong, unknown, basic]) expectProblem(res, 401, 'IDENTITY_CREDENTIALS_INVALID');
      const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
      expect(strip(unknown.body)).toEqual(strip(wrong.body));
      expect(strip(basic.body)).toEqual(strip(wrong.body));
    });

    it('answers 400 when no credential is sent or the body is malformed', async () => {
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/auth/service/token').send({}), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/auth/service/token').send({ serviceId: 'logging' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/auth/service/token').send({ serviceId: 'logging', secret: SERVICE_SECRETS.logging, scope: '*' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/auth/service/token').send({ serviceId: 'x'.repeat(65), secret: SERVICE_SECRETS.logging }), 400, 'VALIDATION_FAILED');
        for (const basic of ['Basic Og==', `Basic ${Buffer.from('logging').toString('base64')}`, 'Basic !!!', 'Basic ']) {
          expectProblem(await h.http.post('/api/auth/service/token').set('authorization', basic), 400, 'VALIDATION_FAILED');
        }
        for (const raw of ['null', '[]', '"secret"']) {
          expectProblem(await h.http.post('/api/auth/service/token').set('content-type', 'application/json').send(raw), 400, 'VALIDATION_FAILED');
        }
      });
    });
  });

  describe('agents: register and login', () => {
    it('registers an agent (generated credential) that can log in', async () => {
      const admin = await s.orgAdmin();
      const agentId = `bot-${s.unique()}`;
      const res = await h.http
        .post('/api/auth/agent/register')
        .set(auth(admin.token))
        .send({ agentId, name: ' Build Bot ', orgId: admin.orgId, capabilities: ['cap:catalog.read', 'cap:registry.publish'], metadata: { team: 'ci' } });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual(['agent', 'credential', 'expiresAt', 'token']);
      expect(fields(res.body.agent)).toEqual(['agentId', 'capabilities', 'createdAt', 'id', 'isActive', 'name', 'orgId']);
      expect(res.body.agent).toMatchObject({ agentId, name: 'Build Bot', orgId: admin.orgId, isActive: true });
      expect([...res.body.agent.capabilities].sort()).toEqual(['cap:catalog.publish', 'cap:catalog.read']);
      expect(res.body.agent.id).toMatch(UUID);
      expect(res.body.agent.createdAt).toMatch(ISO_MS);
      expect(res.body.credential).toMatch(/^agc_[0-9a-f]{64}$/);
      expect(res.body.expiresAt).toBe(new Date((decode(res.body.token).claims.exp as number) * 1000).toISOString());
      await expectAlive(res.body.token);

      const login = await h.http.post('/api/auth/agent/login').send({ agentId, credential: res.body.credential });
      expect(login.status).toBe(200);
      expect(login.headers['cache-control']).toBe('no-store');
      expect(fields(login.body)).toEqual(['agent', 'expiresAt', 'token']);
      expect(login.body.agent).toMatchObject({ id: res.body.agent.id, agentId, orgId: admin.orgId, isActive: true });
      expect(decode(login.body.token).claims).toMatchObject({ sub: res.body.agent.id, type: 'agent', agentId });
      await expectAlive(login.body.token);
    });

    it('returns no credential when one is supplied, and logs in with it', async () => {
      const admin = await s.orgAdmin();
      const credential = `my-own-agent-credential-${'z'.repeat(20)}`;
      const agentId = `own-${s.unique()}`;
      const res = await h.http.post('/api/auth/agent/register').set(auth(admin.token)).send({ agentId, name: 'Own', orgId: admin.orgId, credential });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['agent', 'expiresAt', 'token']);
      expect(res.body.agent.capabilities).toEqual([]);
      expect((await h.http.post('/api/auth/agent/login').send({ agentId, credential })).status).toBe(200);
    });

    it('answers wrong credential, unknown agent and bad bodies on login', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const wrong = await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: `agc_${'0'.repeat(64)}` });
      const unknown = await h.http.post('/api/auth/agent/login').send({ agentId: `ghost-${s.unique()}`, credential: `agc_${'0'.repeat(64)}` });
      expectProblem(wrong, 401, 'IDENTITY_CREDENTIALS_INVALID');
      expectProblem(unknown, 401, 'IDENTITY_CREDENTIALS_INVALID');
      expect({ ...unknown.body, requestId: 0 }).toEqual({ ...wrong.body, requestId: 0 });
      for (const body of [{ agentId: agent.agent.agentId }, { credential: 'x' }, { agentId: agent.agent.agentId, credential: '' }, { agentId: agent.agent.agentId, credential: 'c', extra: 1 }]) {
        expectProblem(await h.http.post('/api/auth/agent/login').send(body), 400, 'VALIDATION_FAILED');
      }
    });

    it('lets only an org admin or SA register, with grantable capabilities, writing nothing on refusal', async () => {
      const admin = await s.orgAdmin();
      const member = await s.addMember(admin.token, admin.orgId, 'member');
      const outsider = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const adminKey = await s.key(admin.token);
      const svc = await s.serviceToken('logging');
      const body = (extra: Record<string, unknown> = {}) => ({ agentId: `g-${s.unique()}`, name: 'Guarded', orgId: admin.orgId, ...extra });
      const post = (headers: Record<string, string>, b: Record<string, unknown>) => h.http.post('/api/auth/agent/register').set(headers).send(b);

      await writesNothing(h, async () => {
        expectProblem(await post(auth(member.token), body()), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        expectProblem(await post(auth(outsider.token), body()), 404, 'IDENTITY_ORG_NOT_FOUND');
        expectProblem(await post(auth(admin.token), body({ orgId: outsider.orgId })), 404, 'IDENTITY_ORG_NOT_FOUND');
        expectProblem(await post(auth(admin.token), body({ orgId: '00000000-0000-4000-8000-000000000000' })), 404, 'IDENTITY_ORG_NOT_FOUND');
        expectProblem(await post(auth(admin.token), body({ capabilities: ['cap:catalog.sign'] })), 403, 'IDENTITY_CAPABILITY_NOT_GRANTABLE');
        expectProblem(await post(auth(admin.token), body({ capabilities: ['cap:catalog.read', 'cap:messaging.observe'] })), 403, 'IDENTITY_CAPABILITY_NOT_GRANTABLE');
        expectProblem(await post(auth(admin.token), body({ capabilities: ['cap:billing.everything'] })), 403, 'IDENTITY_CAPABILITY_NOT_GRANTABLE');
        expectProblem(await post(auth(admin.token), body({ agentId: agent.agent.agentId })), 409, 'IDENTITY_AGENT_EXISTS');
        expectProblem(await post(auth(agent.token), body()), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        expectProblem(await post(apiKeyHeader(adminKey.key), body()), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        expectProblem(await post(auth(svc), body()), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        expectProblem(await h.http.post('/api/auth/agent/register').send(body()), 401, 'AUTH_REQUIRED');
        for (const bad of [
          body({ agentId: 'AB' }),
          body({ agentId: '-leading' }),
          body({ orgId: 'not-a-uuid' }),
          body({ name: '' }),
          body({ credential: 'c'.repeat(31) }),
          body({ credential: 'c'.repeat(257) }),
          body({ capabilities: ['catalog.read'] }),
          body({ capabilities: Array.from({ length: 51 }, (_, i) => `cap:catalog.x${i}`) }),
          body({ metadata: { blob: 'm'.repeat(8200) } }),
          body({ isActive: false }),
        ]) {
          expectProblem(await post(auth(admin.token), bad), 400, 'VALIDATION_FAILED');
        }
      });
      const forbidden = await post(auth(member.token), body());
      expect(forbidden.body.requiredRole).toBe('admin');

      // An admin may grant what the admin role implies; a super admin may register anywhere, grant-only included.
      expect((await post(auth(admin.token), body({ capabilities: ['cap:catalog.admin', 'cap:logging.sensitive.read'] }))).status).toBe(201);
      const sa = await s.admin();
      const bySa = await post(auth(sa), body({ orgId: outsider.orgId, capabilities: ['cap:catalog.sign'] }));
      expect(bySa.status).toBe(201);
      expect(bySa.body.agent).toMatchObject({ orgId: outsider.orgId, capabilities: ['cap:catalog.sign'] });
    });
  });

  describe('revocation takes effect at once', () => {
    it('spends a token once: of two concurrent refreshes exactly one succeeds', async () => {
      const u = await s.register();
      const [a, b] = await Promise.all([1, 2].map(() => h.http.post('/api/auth/refresh').set(auth(u.token))));
      expect([a!.status, b!.status].sort()).toEqual([200, 401]);
      await expectDead(u.token);
      await expectAlive([a!, b!].find((r) => r.status === 200)!.body.token);
    });

    it('password change: every other token dies, the returned one lives', async () => {
      const u = await s.register();
      const other = await s.login(u.email, u.password);
      const key = await s.key(u.token);
      const res = await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: 'a-changed-passphrase' });
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['expiresAt', 'token']);
      expect(res.headers['cache-control']).toBe('no-store');
      await expectDead(u.token);
      await expectDead(other);
      await expectAlive(res.body.token);
      // API keys are not sessions: they survive a password change.
      expect((await h.http.get('/api/auth/me').set(apiKeyHeader(key.key))).status).toBe(200);
      expect(h.events).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: { userId: u.user.id, notBefore: expect.stringMatching(ISO_MS) } });
      expect((await me(await s.login(u.email, 'a-changed-passphrase'))).status).toBe(200);
    });

    it('revoke all sessions: this token and every other die; a new login works', async () => {
      const u = await s.register();
      const other = await s.login(u.email, u.password);
      const res = await h.http.post('/api/users/me/sessions/revoke').set(auth(u.token));
      expect(res.status).toBe(204);
      await expectDead(u.token);
      await expectDead(other);
      expect(h.events).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: { userId: u.user.id, notBefore: expect.stringMatching(ISO_MS) } });
      await expectAlive(await s.login(u.email, u.password));
    });

    it('admin disable: tokens and keys die and the password stops working', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      const sa = await s.admin();
      const res = await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(sa)).send({ isActive: false });
      expect(res.status).toBe(200);
      await expectDead(u.token);
      expect(await introspect(key.key)).toEqual({ active: false });
      expectProblem(await h.http.get('/api/auth/me').set(apiKeyHeader(key.key)), 401, 'AUTH_INVALID');
      expectProblem(await h.http.post('/api/auth/login').send({ email: u.email, password: u.password }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      expect(h.events).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: { userId: u.user.id, notBefore: expect.stringMatching(ISO_MS) } });
      // Re-enabled, the user logs in again; the old token stays dead.
      expect((await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(sa)).send({ isActive: true })).status).toBe(200);
      await expectAlive(await s.login(u.email, u.password));
      await expectDead(u.token);
    });

    it('agent deactivation and deletion kill the agent token and its login', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const res = await h.http.patch(`/api/agents/${agent.agent.id}`).set(auth(admin.token)).send({ isActive: false });
      expect(res.status).toBe(200);
      await expectDead(agent.token);
      expectProblem(await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: agent.credential }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      expect(h.events).toContainEqual({ type: 'identity.agent.deactivated', payload: { agentId: agent.agent.agentId } });

      const doomed = await s.agent(admin.token, admin.orgId);
      expect((await h.http.delete(`/api/agents/${doomed.agent.id}`).set(auth(admin.token))).status).toBe(204);
      await expectDead(doomed.token);
    });

    it('agent credential rotation kills old tokens and the old credential; the new one works at once', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const res = await h.http.post(`/api/agents/${agent.agent.id}/credential`).set(auth(admin.token)).send({});
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.credential).toMatch(/^agc_[0-9a-f]{64}$/);
      await expectDead(agent.token);
      expect(h.events).toContainEqual({ type: 'identity.agent.deactivated', payload: { agentId: agent.agent.agentId } });
      expectProblem(await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: agent.credential }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      const login = await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: res.body.credential });
      expect(login.status).toBe(200);
      await expectAlive(login.body.token);
    });

    it('service-account rotation kills the old tokens and the old secret', async () => {
      const sa = await s.admin();
      const serviceId = `svc-${s.unique()}`.slice(0, 32).replace(/[^a-z0-9-]/g, 'x');
      const created = await h.http.post('/api/admin/service-accounts').set(auth(sa)).send({ serviceId });
      expect(created.status).toBe(201);
      const tokenRes = await h.http.post('/api/auth/service/token').send({ serviceId, secret: created.body.secret });
      expect(tokenRes.status).toBe(200);
      await expectAlive(tokenRes.body.token);
      const rotated = await h.http.post(`/api/admin/service-accounts/${created.body.id}/rotate`).set(auth(sa));
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^svc_[0-9a-f]{64}$/);
      await expectDead(tokenRes.body.token);
      expectProblem(await h.http.post('/api/auth/service/token').send({ serviceId, secret: created.body.secret }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      const fresh = await h.http.post('/api/auth/service/token').send({ serviceId, secret: rotated.body.secret });
      expect(fresh.status).toBe(200);
      await expectAlive(fresh.body.token);
      // A deleted account's tokens die with it.
      expect((await h.http.delete(`/api/admin/service-accounts/${created.body.id}`).set(auth(sa))).status).toBe(204);
      await expectDead(fresh.body.token);
    });
  });
});
