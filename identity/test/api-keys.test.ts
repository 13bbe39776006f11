import { describeEachEngine } from '@symbia/db/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeader, auditRows, auth, expectProblem, fields, scenario, tamper, walkPages, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type OrgAdmin = Awaited<ReturnType<ReturnType<typeof scenario>['orgAdmin']>>;

const KEY = /^sk_[0-9a-f]{64}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const WARNING = 'Store this key now; it cannot be shown again.';
const CREATED_FIELDS = ['_warning', 'createdAt', 'description', 'env', 'expiresAt', 'id', 'key', 'keyPrefix', 'name', 'orgId', 'scopes', 'serviceId'];
const LISTED_FIELDS = ['createdAt', 'createdBy', 'description', 'env', 'expiresAt', 'id', 'keyPrefix', 'lastUsedAt', 'name', 'orgId', 'revokedAt', 'scopes', 'serviceId', 'useCount'];

/** Outline §2.7 (API keys) with the key parts of §2.1 (format, storage) and §2.2 (scopes). */
describeEachEngine('identity API keys (§2.7)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let A: OrgAdmin;
  let B: OrgAdmin;
  let agentToken: string;
  let serviceToken: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    agentToken = (await s.agent(A.token, A.orgId)).token;
    serviceToken = await s.serviceToken('network');
  });
  afterAll(() => h.close());

  const create = async (token: string, body: Record<string, unknown> = {}, base = '/api/api-keys') => {
    await h.resetRateLimits('identity.keys.user');
    return h.http.post(base).set(auth(token)).send({ name: 'k', ...body });
  };
  /** Whether identity accepts the key as a credential right now. */
  const works = async (key: string) => {
    const res = await h.http.get('/api/users/me').set(apiKeyHeader(key));
    if (res.status === 401) expectProblem(res, 401, 'AUTH_INVALID');
    else expect(res.status).toBe(200);
    return res.status === 200;
  };

  describe('POST /api/api-keys', () => {
    it('201 with the outline fields, a key of the §2.1 format shown once, no-store; stored only as a salted hash', async () => {
      const u = await s.register();
      const res = await create(u.token, { name: '  CI key ', description: 'for CI' });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual(CREATED_FIELDS);
      expect(res.body.key).toMatch(KEY);
      expect(res.body.keyPrefix).toBe(res.body.key.slice(0, 11));
      expect(res.body).toMatchObject({ name: 'CI key', description: 'for CI', orgId: null, scopes: ['*'], serviceId: null, env: null, expiresAt: null, _warning: WARNING });
      expect(res.body.createdAt).toMatch(ISO);
      const dump = JSON.stringify(await h.deps.database.exportDatabase());
      expect(dump).not.toContain(res.body.key);
      expect(dump).not.toContain(res.body.key.slice(11));
      expect(h.logText()).not.toContain(res.body.key.slice(11));
      const rows = await auditRows(h, { action: 'api_key.created', resourceId: res.body.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_type: 'user', actor_id: u.user.id });
      expect(JSON.stringify(rows)).not.toContain(res.body.key.slice(11));
      expect(await works(res.body.key)).toBe(true);
    });

    it('validates the body: 400 VALIDATION_FAILED, past expiresAt included; nothing written', async () => {
      const u = await s.register();
      await writesNothing(h, async () => {
        for (const body of [
          { name: '' },
          { name: 'x'.repeat(101) },
          { name: 'k', description: 'd'.repeat(501) },
          { name: 'k', orgId: 'not-a-uuid' },
          { name: 'k', scopes: ['Logging:ingest'] },
          { name: 'k', scopes: ['logging'] },
          { name: 'k', scopes: ['logging:'] },
          { name: 'k', scopes: Array.from({ length: 51 }, (_, i) => `svc${String.fromCharCode(97 + (i % 26))}:read`) },
          { name: 'k', serviceId: 'Bad Service' },
          { name: 'k', env: 'PROD' },
          { name: 'k', expiresAt: new Date(Date.now() - 1000).toISOString() },
          { name: 'k', expiresAt: 'next week' },
          { name: 'k', isSuperAdmin: true },
        ]) {
          expectProblem(await create(u.token, body), 400, 'VALIDATION_FAILED');
        }
      });
    });

    it('403 TENANT_ORG_FORBIDDEN for an org that is not the caller\'s, or does not exist (a super admin included); nothing written', async () => {
      const admin = await s.admin();
      await writesNothing(h, async () => {
        expectProblem(await create(A.token, { orgId: B.orgId }), 403, 'TENANT_ORG_FORBIDDEN');
        expectProblem(await create(A.token, { orgId: randomUUID() }), 403, 'TENANT_ORG_FORBIDDEN');
        expectProblem(await create(admin, { orgId: randomUUID() }), 403, 'TENANT_ORG_FORBIDDEN');
      });
    });

    it('403 IDENTITY_SCOPE_NOT_GRANTABLE for identity:introspect (non super admin) and credential reads; nothing written', async () => {
      await writesNothing(h, async () => {
        for (const scopes of [['identity:introspect'], ['logging:ingest', 'identity:introspect'], ['identity:credentials.read'], ['identity:*']]) {
          expectProblem(await create(A.token, { scopes }), 403, 'IDENTITY_SCOPE_NOT_GRANTABLE');
        }
      });
    });

    it('is user-jwt only: API keys, agents and services get 403 IDENTITY_USER_TOKEN_REQUIRED; anonymous 401', async () => {
      const key = await s.key(A.token);
      await writesNothing(h, async () => {
        for (const headers of [apiKeyHeader(key.key), auth(key.key), auth(agentToken), auth(serviceToken)]) {
          for (const base of ['/api/api-keys', '/api/auth/keys']) {
            expectProblem(await h.http.post(base).set(headers).send({ name: 'k' }), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
            expectProblem(await h.http.get(base).set(headers), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
            expectProblem(await h.http.get(`${base}/${key.id}`).set(headers), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
            expectProblem(await h.http.post(`${base}/${key.id}/revoke`).set(headers), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
            expectProblem(await h.http.post(`${base}/${key.id}/rotate`).set(headers).send({}), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
            expectProblem(await h.http.delete(`${base}/${key.id}`).set(headers), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
          }
        }
        expectProblem(await h.http.post('/api/api-keys').send({ name: 'k' }), 401, 'AUTH_REQUIRED');
        expectProblem(await h.http.get('/api/api-keys'), 401, 'AUTH_REQUIRED');
      });
      expect(await works(key.key)).toBe(true);
    });

    it('20 creations (or rotations) per hour per user, then 429 RATE_LIMITED with the §1.7 headers; nothing written', async () => {
      const u = await s.register();
      const other = await s.register();
      await h.resetRateLimits('identity.keys.user');
      let last;
      for (let i = 0; i < 20; i++) {
        last = await h.http.post('/api/api-keys').set(auth(u.token)).send({ name: `k${i}` });
        expect(last.status).toBe(201);
      }
      expect(last!.headers['x-ratelimit-limit']).toBe('20');
      expect(last!.headers['x-ratelimit-remaining']).toBe('0');
      await writesNothing(h, async () => {
        const res = await h.http.post('/api/api-keys').set(auth(u.token)).send({ name: 'one too many' });
        expectProblem(res, 429, 'RATE_LIMITED');
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(res.body.retryAfter).toBe(Number(res.headers['retry-after']));
        expect(res.headers['x-ratelimit-limit']).toBe('20');
        expect(res.headers['x-ratelimit-remaining']).toBe('0');
        expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000);
        expectProblem(await h.http.post(`/api/api-keys/${last!.body.id}/rotate`).set(auth(u.token)).send({}), 429, 'RATE_LIMITED');
      });
      // The limit is per user.
      expect((await h.http.post('/api/api-keys').set(auth(other.token)).send({ name: 'fine' })).status).toBe(201);
      await h.resetRateLimits('identity.keys.user');
    });
  });

  describe('listing and reading', () => {
    it('GET lists the caller\'s keys without `key`, newest first, paging without gaps or duplicates', async () => {
      const u = await s.register();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await create(u.token, { name: `k${i}` })).body.id);
      const res = await h.http.get('/api/api-keys').set(auth(u.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['apiKeys', 'nextCursor']);
      for (const k of res.body.apiKeys) {
        expect(fields(k)).toEqual(LISTED_FIELDS);
        expect(k.createdBy).toBe(u.user.id);
      }
      expect(JSON.stringify(res.body)).not.toMatch(/sk_[0-9a-f]{64}/);
      expect(res.body.apiKeys.map((k: { id: string }) => k.id)).toEqual([...ids].reverse());
      for (const limit of [1, 2, 4]) expect(await walkPages(h, '/api/api-keys', 'apiKeys', auth(u.token), limit)).toEqual([...ids].reverse());
      expect(await walkPages(h, '/api/auth/keys', 'apiKeys', auth(u.token), 2)).toEqual([...ids].reverse());
      expect((await h.http.get('/api/api-keys?limit=5000').set(auth(u.token))).status).toBe(200);
      expectProblem(await h.http.get('/api/api-keys?limit=0').set(auth(u.token)), 400, 'VALIDATION_FAILED');
      expectProblem(await h.http.get('/api/api-keys?includeRevoked=yes').set(auth(u.token)), 400, 'VALIDATION_FAILED');
      expectProblem(await h.http.get('/api/api-keys?orgId=nope').set(auth(u.token)), 400, 'VALIDATION_FAILED');
      const page = await h.http.get('/api/api-keys?limit=2').set(auth(u.token));
      expectProblem(await h.http.get(`/api/api-keys?limit=2&cursor=${encodeURIComponent(tamper(page.body.nextCursor))}`).set(auth(u.token)), 400, 'PAGINATION_CURSOR_INVALID');
      // The same cursor on another query: with includeRevoked, or as another user.
      expectProblem(await h.http.get(`/api/api-keys?limit=2&includeRevoked=true&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(u.token)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get(`/api/api-keys?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(A.token)), 400, 'PAGINATION_CURSOR_INVALID');
    });

    it('?orgId: an org admin sees every key bound to the org, a member only their own', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      const adminKey = (await create(o.token, { orgId: o.orgId })).body;
      const memberKey = (await create(m.token, { orgId: o.orgId })).body;
      const memberUnbound = (await create(m.token)).body;
      const asAdmin = await h.http.get(`/api/api-keys?orgId=${o.orgId}`).set(auth(o.token));
      expect(asAdmin.body.apiKeys.map((k: { id: string }) => k.id)).toEqual([memberKey.id, adminKey.id]);
      const asMember = await h.http.get(`/api/api-keys?orgId=${o.orgId}`).set(auth(m.token));
      expect(asMember.body.apiKeys.map((k: { id: string }) => k.id)).toEqual([memberKey.id]);
      const memberAll = await h.http.get('/api/api-keys').set(auth(m.token));
      expect(memberAll.body.apiKeys.map((k: { id: string }) => k.id)).toEqual([memberUnbound.id, memberKey.id]);
      // Another org's admin sees none of them.
      expect((await h.http.get(`/api/api-keys?orgId=${o.orgId}`).set(auth(B.token))).body.apiKeys).toEqual([]);
    });

    it('GET /:id answers the creator, an admin of the bound org and a super admin; anybody else 404', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      const bound = (await create(m.token, { orgId: o.orgId, scopes: ['logging:ingest'], serviceId: 'billing', env: 'prod' })).body;
      const unbound = (await create(m.token)).body;
      for (const token of [m.token, o.token, await s.admin()]) {
        for (const base of ['/api/api-keys', '/api/auth/keys']) {
          const res = await h.http.get(`${base}/${bound.id}`).set(auth(token));
          expect(res.status).toBe(200);
          expect(fields(res.body)).toEqual(LISTED_FIELDS);
          expect(res.body).toMatchObject({ id: bound.id, keyPrefix: bound.keyPrefix, orgId: o.orgId, scopes: ['logging:ingest'], serviceId: 'billing', env: 'prod', revokedAt: null, useCount: 0, lastUsedAt: null, createdBy: m.user.id });
        }
      }
      expectProblem(await h.http.get(`/api/api-keys/${unbound.id}`).set(auth(o.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
      expectProblem(await h.http.get(`/api/api-keys/${bound.id}`).set(auth(B.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
      const viewer = await s.addMember(o.token, o.orgId, 'viewer');
      expectProblem(await h.http.get(`/api/api-keys/${bound.id}`).set(auth(viewer.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
      expectProblem(await h.http.get(`/api/api-keys/${randomUUID()}`).set(auth(m.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
    });

    it('another user cannot revoke, rotate or delete a key: 404, nothing written, the key keeps working', async () => {
      const u = await s.orgAdmin();
      const key = (await create(u.token, { orgId: u.orgId })).body;
      await writesNothing(h, async () => {
        for (const token of [A.token, B.token]) {
          for (const base of ['/api/api-keys', '/api/auth/keys']) {
            expectProblem(await h.http.post(`${base}/${key.id}/revoke`).set(auth(token)), 404, 'IDENTITY_KEY_NOT_FOUND');
            expectProblem(await h.http.post(`${base}/${key.id}/rotate`).set(auth(token)).send({}), 404, 'IDENTITY_KEY_NOT_FOUND');
            expectProblem(await h.http.delete(`${base}/${key.id}`).set(auth(token)), 404, 'IDENTITY_KEY_NOT_FOUND');
          }
        }
      });
      expect(await works(key.key)).toBe(true);
    });

    it('lastUsedAt and useCount are updated when the key is used', async () => {
      const u = await s.register();
      const key = (await create(u.token)).body;
      expect(await works(key.key)).toBe(true);
      const res = await h.http.get(`/api/api-keys/${key.id}`).set(auth(u.token));
      expect(res.body.useCount).toBe(1);
      expect(res.body.lastUsedAt).toMatch(ISO);
    });
  });

  describe('revoke, rotate, delete', () => {
    it('revoke: 200 metadata with revokedAt; the key is dead at once; identity.key.revoked; 409 the second time', async () => {
      const u = await s.register();
      const key = (await create(u.token)).body;
      expect(await works(key.key)).toBe(true);
      const before = h.events.length;
      const res = await h.http.post(`/api/api-keys/${key.id}/revoke`).set(auth(u.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(LISTED_FIELDS);
      expect(res.body.revokedAt).toMatch(ISO);
      expect(res.body.key).toBeUndefined();
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.key.revoked', payload: { keyId: key.id, keyPrefix: key.keyPrefix } });
      expect(await works(key.key)).toBe(false);
      expect(await s.introspect(key.key)).toEqual({ active: false });
      expect(await auditRows(h, { action: 'api_key.revoked', resourceId: key.id })).toHaveLength(1);
      await writesNothing(h, async () => {
        expectProblem(await h.http.post(`/api/api-keys/${key.id}/revoke`).set(auth(u.token)), 409, 'IDENTITY_KEY_ALREADY_REVOKED');
        expectProblem(await h.http.post(`/api/auth/keys/${key.id}/revoke`).set(auth(u.token)), 409, 'IDENTITY_KEY_ALREADY_REVOKED');
        expectProblem(await h.http.post(`/api/api-keys/${key.id}/rotate`).set(auth(u.token)).send({}), 409, 'IDENTITY_KEY_ALREADY_REVOKED');
      });
      // Hidden from the default listing, shown with includeRevoked.
      expect((await h.http.get('/api/api-keys').set(auth(u.token))).body.apiKeys).toEqual([]);
      expect((await h.http.get('/api/api-keys?includeRevoked=true').set(auth(u.token))).body.apiKeys.map((k: { id: string }) => k.id)).toEqual([key.id]);
    });

    it('an org admin may revoke a member\'s key bound to the org (alias route)', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      const key = (await create(m.token, { orgId: o.orgId })).body;
      expect((await h.http.post(`/api/auth/keys/${key.id}/revoke`).set(auth(o.token))).status).toBe(200);
      expect(await works(key.key)).toBe(false);
    });

    it('rotate with no grace: 201 new key with rotatedFrom; the old key is dead at once', async () => {
      const u = await s.orgAdmin();
      const old = (await create(u.token, { orgId: u.orgId, scopes: ['logging:*'], serviceId: 'svc-a', env: 'staging', description: 'd' })).body;
      const before = h.events.length;
      await h.resetRateLimits('identity.keys.user');
      const res = await h.http.post(`/api/api-keys/${old.id}/rotate`).set(auth(u.token)).send({});
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual([...CREATED_FIELDS, 'rotatedFrom'].sort());
      expect(res.body.key).toMatch(KEY);
      expect(res.body.id).not.toBe(old.id);
      expect(res.body).toMatchObject({ rotatedFrom: old.id, name: old.name, description: 'd', orgId: u.orgId, scopes: ['logging:*'], serviceId: 'svc-a', env: 'staging', keyPrefix: res.body.key.slice(0, 11), _warning: WARNING });
      expect(await works(old.key)).toBe(false);
      expect(await works(res.body.key)).toBe(true);
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.key.revoked', payload: { keyId: old.id, keyPrefix: old.keyPrefix } });
      expect(await auditRows(h, { action: 'api_key.rotated' })).toContainEqual(expect.objectContaining({ actor_id: u.user.id }));
      expectProblem(await h.http.post(`/api/api-keys/${old.id}/rotate`).set(auth(u.token)).send({}), 409, 'IDENTITY_KEY_ALREADY_REVOKED');
    });

    it('rotate with a grace period: the old key works until the grace ends', async () => {
      const u = await s.register();
      const old = (await create(u.token)).body;
      await h.resetRateLimits('identity.keys.user');
      const res = await h.http.post(`/api/auth/keys/${old.id}/rotate`).set(auth(u.token)).send({ gracePeriodSeconds: 3600 });
      expect(res.status).toBe(201);
      expect(await works(old.key)).toBe(true);
      expect(await works(res.body.key)).toBe(true);
      // The grace period ends.
      await h.deps.database.query("UPDATE identity.api_keys SET revoked_at = now() - interval '1 second' WHERE id = $1", [old.id]);
      expect(await works(old.key)).toBe(false);
      expect(await works(res.body.key)).toBe(true);
    });

    it('a key in its grace period may still be revoked, which ends the grace at once', async () => {
      const u = await s.register();
      const old = (await create(u.token)).body;
      await h.resetRateLimits('identity.keys.user');
      expect((await h.http.post(`/api/api-keys/${old.id}/rotate`).set(auth(u.token)).send({ gracePeriodSeconds: 600 })).status).toBe(201);
      expect(await works(old.key)).toBe(true);
      expect((await h.http.post(`/api/api-keys/${old.id}/revoke`).set(auth(u.token))).status).toBe(200);
      expect(await works(old.key)).toBe(false);
    });

    it('rotate validates gracePeriodSeconds (0–86400, integer); nothing written', async () => {
      const u = await s.register();
      const key = (await create(u.token)).body;
      await writesNothing(h, async () => {
        for (const gracePeriodSeconds of [-1, 86_401, 1.5, '60']) {
          expectProblem(await h.http.post(`/api/api-keys/${key.id}/rotate`).set(auth(u.token)).send({ gracePeriodSeconds }), 400, 'VALIDATION_FAILED');
        }
      });
    });

    it('delete: 204 with no body; the key is dead and hidden from every listing; 404 afterwards', async () => {
      const u = await s.register();
      const key = (await create(u.token)).body;
      const before = h.events.length;
      const res = await h.http.delete(`/api/api-keys/${key.id}`).set(auth(u.token));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await works(key.key)).toBe(false);
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.key.revoked', payload: { keyId: key.id, keyPrefix: key.keyPrefix } });
      expect((await h.http.get('/api/api-keys?includeRevoked=true').set(auth(u.token))).body.apiKeys).toEqual([]);
      expect(await auditRows(h, { action: 'api_key.deleted', resourceId: key.id })).toHaveLength(1);
      await writesNothing(h, async () => {
        expectProblem(await h.http.get(`/api/api-keys/${key.id}`).set(auth(u.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
        expectProblem(await h.http.delete(`/api/auth/keys/${key.id}`).set(auth(u.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
        expectProblem(await h.http.post(`/api/api-keys/${key.id}/revoke`).set(auth(u.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
      });
    });

    it('an expired key is inactive', async () => {
      const u = await s.register();
      const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
      const key = (await create(u.token, { expiresAt })).body;
      expect(key.expiresAt).toBe(expiresAt);
      expect(await works(key.key)).toBe(true);
      await h.deps.database.query("UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [key.id]);
      expect(await works(key.key)).toBe(false);
    });
  });

  describe('what a key may do (§2.2)', () => {
    it('introspection answers the api_key shape of §2.3 with the binding', async () => {
      const o = await s.orgAdmin();
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const key = (await create(o.token, { name: 'bound', orgId: o.orgId, scopes: ['logging:ingest', 'catalog:read'], serviceId: 'billing', env: 'prod', expiresAt })).body;
      const answer = await s.introspect(key.key);
      expect(answer).toMatchObject({
        active: true,
        token_type: 'api_key',
        type: 'api_key',
        sub: o.user.id,
        client_id: key.id,
        username: o.email,
        scope: 'logging:ingest catalog:read',
        email: o.email,
        isSuperAdmin: false,
        keyId: key.id,
        orgId: o.orgId,
        scopes: ['logging:ingest', 'catalog:read'],
        serviceId: 'billing',
        env: 'prod',
        exp: Math.floor(Date.parse(expiresAt) / 1000),
      });
      expect(answer.iat).toBe(Math.floor(Date.parse(key.createdAt) / 1000));
      for (const absent of ['iss', 'aud', 'jti']) expect(answer).not.toHaveProperty(absent);
      expect(answer.organizations).toEqual([{ id: o.orgId, name: expect.any(String), slug: o.slug, role: 'admin', capabilities: ['cap:catalog.read', 'cap:logging.ingest'] }]);
      const unbound = (await create(o.token)).body;
      const u = await s.introspect(unbound.key);
      expect(u).not.toHaveProperty('exp');
      expect(u).toMatchObject({ orgId: null, serviceId: null, env: null, scope: '*' });
    });

    it('capabilities = the creator\'s effective set in the org ∩ what the scopes map to', async () => {
      const o = await s.orgAdmin();
      const v = await s.addMember(o.token, o.orgId, 'viewer');
      const admin = await s.admin();
      expect((await h.http.post(`/api/admin/users/${v.user.id}/entitlements`).set(auth(admin)).send({ key: 'cap:catalog.sign' })).status).toBe(201);
      const viewerCaps = (await h.http.get('/api/auth/me').set(auth(v.token))).body.organizations.find((x: { id: string }) => x.id === o.orgId).capabilities as string[];
      const capsOf = async (token: string, scopes: string[]) => {
        const key = (await create(token, { scopes, orgId: o.orgId })).body;
        return ((await s.introspect(key.key)).organizations as Array<{ capabilities: string[] }>)[0]!.capabilities;
      };
      expect(await capsOf(v.token, ['*'])).toEqual(viewerCaps);
      expect(await capsOf(v.token, ['logging:*'])).toEqual(['cap:logging.read']);
      expect(await capsOf(v.token, ['catalog:*'])).toEqual(['cap:catalog.read', 'cap:catalog.sign']);
      expect(await capsOf(v.token, ['catalog:read', 'catalog:write'])).toEqual(['cap:catalog.read']);
      expect(await capsOf(v.token, ['registry:sign'])).toEqual(['cap:catalog.sign']);
      const adminLogging = await capsOf(o.token, ['logging:*']);
      expect(adminLogging).toEqual(['cap:logging.admin', 'cap:logging.ai', 'cap:logging.ingest', 'cap:logging.read', 'cap:logging.sensitive.read', 'cap:logging.write']);
      expect(await capsOf(o.token, ['network:events.write'])).toEqual(['cap:network.events.write']);
      // The same answer on /api/auth/me when the key calls identity itself.
      const key = (await create(v.token, { scopes: ['catalog:read'], orgId: o.orgId })).body;
      const meRes = await h.http.get('/api/auth/me').set(apiKeyHeader(key.key));
      expect(meRes.body).toMatchObject({ type: 'api_key', apiKey: { id: key.id, keyPrefix: key.keyPrefix, orgId: o.orgId, scopes: ['catalog:read'] }, user: { id: v.user.id } });
      expect(meRes.body.organizations).toEqual([expect.objectContaining({ id: o.orgId, capabilities: ['cap:catalog.read'] })]);
    });

    it('a key bound to org A acts only in A: other orgs of its creator answer 404 and are not listed', async () => {
      const o = await s.orgAdmin();
      const second = await h.http.post('/api/orgs').set(auth(o.token)).send({ name: 'Second', slug: `second-${s.unique()}` });
      const key = (await create(o.token, { orgId: o.orgId })).body;
      expect((await h.http.get(`/api/orgs/${o.orgId}/members`).set(apiKeyHeader(key.key))).status).toBe(200);
      expectProblem(await h.http.get(`/api/orgs/${second.body.id}/members`).set(apiKeyHeader(key.key)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expectProblem(await h.http.get(`/api/orgs/${second.body.id}`).set(apiKeyHeader(key.key)), 404, 'IDENTITY_ORG_NOT_FOUND');
      const meRes = await h.http.get('/api/users/me').set(apiKeyHeader(key.key));
      expect(meRes.body.organizations.map((x: { id: string }) => x.id)).toEqual([o.orgId]);
      const dash = await h.http.get('/api/dashboard').set(apiKeyHeader(key.key));
      expect(dash.body.organizations.map((x: { id: string }) => x.id)).toEqual([o.orgId]);
      expect((await s.introspect(key.key)).organizations).toEqual([expect.objectContaining({ id: o.orgId })]);
    });

    it('identity:introspect: never implied by *, only a super admin may put it on a key, and such a key introspects', async () => {
      const star = (await create(A.token)).body;
      expectProblem(await h.http.post('/api/auth/introspect').set(apiKeyHeader(star.key)).send({ token: star.key }), 403, 'IDENTITY_INTROSPECTION_FORBIDDEN');
      const admin = await s.admin();
      const res = await create(admin, { scopes: ['identity:introspect'] });
      expect(res.status).toBe(201);
      const answer = await h.http.post('/api/auth/introspect').set(apiKeyHeader(res.body.key)).send({ token: star.key });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ active: true, keyId: star.id });
    });

    it('API keys never carry super-admin power: a super admin\'s key is refused on /api/admin/* and /api/stats', async () => {
      const admin = await s.admin();
      const key = (await create(admin)).body;
      const answer = await s.introspect(key.key);
      expect(answer.isSuperAdmin).toBe(false);
      for (const headers of [apiKeyHeader(key.key), auth(key.key)]) {
        expectProblem(await h.http.get('/api/admin/users').set(headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
        expectProblem(await h.http.get('/api/admin/audit-logs').set(headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
        expectProblem(await h.http.get('/api/stats').set(headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
        await writesNothing(h, async () => {
          expectProblem(await h.http.patch(`/api/admin/users/${A.user.id}`).set(headers).send({ isSuperAdmin: true }), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
        });
      }
      // Nor does it open other orgs as the super admin would.
      expectProblem(await h.http.get(`/api/orgs/${A.orgId}`).set(apiKeyHeader(key.key)), 404, 'IDENTITY_ORG_NOT_FOUND');
    });
  });
});
