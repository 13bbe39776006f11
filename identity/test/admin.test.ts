import { describeEachEngine } from '@symbia/db/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailer } from '../src/services/mailer.js';
import { apiKeyHeader, auditRows, auth, expectProblem, fields, scenario, tamper, walkPages, writesNothing } from './api-support.js';
import { ADMIN, createHarness, type Harness } from './harness.js';

type OrgAdmin = Awaited<ReturnType<ReturnType<typeof scenario>['orgAdmin']>>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const AUDIT_FIELDS = ['action', 'actorId', 'actorType', 'createdAt', 'id', 'ip', 'metadata', 'orgId', 'requestId', 'resource', 'resourceId', 'userAgent'];

/** Outline §2.10: the audit log and the super admin's routes (service accounts are in agents.test.ts). */
describeEachEngine('identity audit log and super admin (§2.10)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let admin: string;
  let adminId: string;
  let A: OrgAdmin;
  let B: OrgAdmin;

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    admin = await s.admin();
    adminId = (await h.http.get('/api/users/me').set(auth(admin))).body.id;
    A = await s.orgAdmin();
    B = await s.orgAdmin();
  });
  afterAll(() => h.close());
  // Every test starts a fresh admin window (30/min per principal); one test checks the limit itself.
  beforeEach(() => h.resetRateLimits('identity.admin'));

  const seededPlanId = async () => (await h.http.get('/api/plans').set(auth(admin))).body.plans.find((p: { name: string }) => p.name === 'pro').id as string;

  describe('who may call /api/admin/*', () => {
    const routes = (userId: string, orgId: string, planId: string) =>
      [
        ['get', '/api/admin/audit-logs', undefined],
        ['get', '/api/admin/users', undefined],
        ['patch', `/api/admin/users/${userId}`, { isSuperAdmin: true }],
        ['delete', `/api/admin/users/${userId}`, undefined],
        ['post', `/api/admin/users/${userId}/revoke-sessions`, undefined],
        ['get', `/api/admin/users/${userId}/entitlements`, undefined],
        ['post', `/api/admin/users/${userId}/entitlements`, { key: 'cap:catalog.sign' }],
        ['delete', `/api/admin/users/${userId}/entitlements/cap:catalog.read`, undefined],
        ['get', `/api/admin/users/${userId}/roles`, undefined],
        ['post', `/api/admin/users/${userId}/roles`, { key: 'role:publisher' }],
        ['delete', `/api/admin/users/${userId}/roles/role:publisher`, undefined],
        ['get', '/api/admin/orgs', undefined],
        ['patch', `/api/admin/orgs/${orgId}`, { name: 'Taken over' }],
        ['delete', `/api/admin/orgs/${orgId}`, undefined],
        ['post', '/api/admin/plans', { name: 'sneaky', features: [], limits: {}, priceCents: 0 }],
        ['patch', `/api/admin/plans/${planId}`, { priceCents: 1 }],
        ['get', '/api/admin/service-accounts', undefined],
        ['post', '/api/admin/service-accounts', { serviceId: 'sneaky' }],
        ['get', '/api/admin/email-outbox', undefined],
        ['get', '/api/stats', undefined],
      ] as const;
    const call = (method: string, path: string, body: object | undefined, headers: Record<string, string>) => {
      const req = (h.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method]!(path).set(headers);
      return body ? req.send(body) : req;
    };

    it('non super admins get 403 IDENTITY_SUPERADMIN_REQUIRED on every route (a super admin\'s API key included); nothing written', async () => {
      const saKey = await s.key(admin);
      const agent = await s.agent(A.token, A.orgId);
      const svc = await s.serviceToken('logging');
      const planId = await seededPlanId();
      await writesNothing(h, async () => {
        for (const headers of [auth(A.token), apiKeyHeader(saKey.key), auth(saKey.key), auth(agent.token), auth(svc)]) {
          for (const [method, path, body] of routes(B.user.id, B.orgId, planId)) {
            expectProblem(await call(method, path, body, headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
          }
        }
        for (const [method, path, body] of routes(B.user.id, B.orgId, planId)) {
          expectProblem(await call(method, path, body, {}), 401, 'AUTH_REQUIRED');
        }
      });
      expect((await h.http.get(`/api/orgs/${B.orgId}`).set(auth(B.token))).status).toBe(200);
    });

    it('30 requests per minute per super admin, then 429 RATE_LIMITED; another super admin has a window of their own', async () => {
      const other = await s.register();
      expect((await h.http.patch(`/api/admin/users/${other.user.id}`).set(auth(admin)).send({ isSuperAdmin: true })).status).toBe(200);
      await h.resetRateLimits('identity.admin');
      let res;
      for (let i = 0; i < 30; i++) {
        res = await h.http.get('/api/admin/users?limit=1').set(auth(admin));
        expect(res.status).toBe(200);
      }
      expect(res!.headers['x-ratelimit-limit']).toBe('30');
      expect(res!.headers['x-ratelimit-remaining']).toBe('0');
      await writesNothing(h, async () => {
        const limited = await h.http.get('/api/admin/users?limit=1').set(auth(admin));
        expectProblem(limited, 429, 'RATE_LIMITED');
        expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(limited.body.retryAfter).toBe(Number(limited.headers['retry-after']));
        expectProblem(await h.http.patch(`/api/admin/users/${A.user.id}`).set(auth(admin)).send({ name: 'x' }), 429, 'RATE_LIMITED');
      });
      expect((await h.http.get('/api/admin/users?limit=1').set(auth(other.token))).status).toBe(200);
    });
  });

  describe('users', () => {
    it('GET /api/admin/users lists {id,email,name,isSuperAdmin,isActive,createdAt}, filtered by email or name prefix, paged', async () => {
      const tag = `zq${s.unique()}`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await s.register({ email: `${tag}-${i}@example.test` })).user.id);
      for (let i = 0; i < 2; i++) ids.push((await s.register({ name: `${tag.toUpperCase()} Person ${i}` })).user.id);
      const res = await h.http.get(`/api/admin/users?q=${tag}`).set(auth(admin));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['nextCursor', 'users']);
      for (const u of res.body.users) expect(fields(u)).toEqual(['createdAt', 'email', 'id', 'isActive', 'isSuperAdmin', 'name']);
      expect(res.body.users.map((u: { id: string }) => u.id)).toEqual([...ids].reverse());
      expect(await walkPages(h, `/api/admin/users?q=${tag}`, 'users', auth(admin), 2)).toEqual([...ids].reverse());
      // Prefix, not substring; LIKE wildcards are literal.
      expect((await h.http.get(`/api/admin/users?q=${tag.slice(1)}`).set(auth(admin))).body.users).toEqual([]);
      expect((await h.http.get('/api/admin/users?q=%25').set(auth(admin))).body.users).toEqual([]);
      const page = await h.http.get(`/api/admin/users?q=${tag}&limit=2`).set(auth(admin));
      expectProblem(await h.http.get(`/api/admin/users?q=${tag}&limit=2&cursor=${encodeURIComponent(tamper(page.body.nextCursor))}`).set(auth(admin)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get(`/api/admin/users?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(admin)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get('/api/admin/users?limit=0').set(auth(admin)), 400, 'VALIDATION_FAILED');
    });

    it('PATCH edits name, email, super-admin flag; 404 for unknown users, 409 for a taken email; audited', async () => {
      const u = await s.register();
      const other = await s.register();
      const email = `renamed-${s.unique()}@example.test`;
      const res = await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ name: ' New Name ', email: ` ${email.toUpperCase()}`, isSuperAdmin: true });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: u.user.id, name: 'New Name', email, isSuperAdmin: true, isActive: true });
      expect(res.body).not.toHaveProperty('passwordHash');
      // Promotion takes effect on the tokens in hand.
      expect((await h.http.get('/api/admin/users?limit=1').set(auth(u.token))).status).toBe(200);
      expect((await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ isSuperAdmin: false })).status).toBe(200);
      expectProblem(await h.http.get('/api/admin/users?limit=1').set(auth(u.token)), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
      expect(await auditRows(h, { resourceId: u.user.id })).toEqual(expect.arrayContaining([expect.objectContaining({ actor_id: adminId, actor_type: 'user' })]));
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ email: other.email }), 409, 'IDENTITY_EMAIL_TAKEN');
        expectProblem(await h.http.patch(`/api/admin/users/${randomUUID()}`).set(auth(admin)).send({ name: 'Ghost' }), 404, 'IDENTITY_USER_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ password: 'x' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ email: 'bad' }), 400, 'VALIDATION_FAILED');
      });
    });

    it('a super admin cannot demote, disable or delete themself: 409 IDENTITY_SELF_MODIFICATION, nothing written', async () => {
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch(`/api/admin/users/${adminId}`).set(auth(admin)).send({ isSuperAdmin: false }), 409, 'IDENTITY_SELF_MODIFICATION');
        expectProblem(await h.http.patch(`/api/admin/users/${adminId}`).set(auth(admin)).send({ isActive: false }), 409, 'IDENTITY_SELF_MODIFICATION');
        expectProblem(await h.http.patch(`/api/admin/users/${adminId}`).set(auth(admin)).send({ name: 'Fine', isActive: false }), 409, 'IDENTITY_SELF_MODIFICATION');
        expectProblem(await h.http.delete(`/api/admin/users/${adminId}`).set(auth(admin)), 409, 'IDENTITY_SELF_MODIFICATION');
      });
      expect((await h.http.get('/api/admin/users?limit=1').set(auth(admin))).status).toBe(200);
    });

    it('disabling revokes the user\'s tokens and keys and blocks login; re-enabling lets them log in again', async () => {
      const u = await s.orgAdmin();
      const key = await s.key(u.token);
      const before = h.events.length;
      const res = await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ isActive: false });
      expect(res.status).toBe(200);
      expect(res.body.isActive).toBe(false);
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: expect.objectContaining({ userId: u.user.id }) });
      expectProblem(await h.http.get('/api/users/me').set(auth(u.token)), 401, 'AUTH_INVALID');
      expectProblem(await h.http.get('/api/users/me').set(apiKeyHeader(key.key)), 401, 'AUTH_INVALID');
      expect(await s.introspect(u.token)).toEqual({ active: false });
      await h.resetRateLimits('identity.login');
      expectProblem(await h.http.post('/api/auth/login').send({ email: u.email, password: u.password }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      expect((await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ isActive: true })).status).toBe(200);
      const fresh = await s.login(u.email, u.password);
      expect((await h.http.get('/api/users/me').set(auth(fresh))).status).toBe(200);
      expect(await s.introspect(u.token)).toEqual({ active: false });
    });

    it('DELETE removes the user (204) and every credential of theirs; 404 afterwards', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      const res = await h.http.delete(`/api/admin/users/${u.user.id}`).set(auth(admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await s.introspect(u.token)).toEqual({ active: false });
      expect(await s.introspect(key.key)).toEqual({ active: false });
      expect(await auditRows(h, { resourceId: u.user.id })).toEqual(expect.arrayContaining([expect.objectContaining({ actor_id: adminId })]));
      await writesNothing(h, async () => {
        expectProblem(await h.http.delete(`/api/admin/users/${u.user.id}`).set(auth(admin)), 404, 'IDENTITY_USER_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/admin/users/${u.user.id}`).set(auth(admin)).send({ name: 'x' }), 404, 'IDENTITY_USER_NOT_FOUND');
      });
    });

    it('POST revoke-sessions: 204; every token of the user stops working; 404 for unknown users', async () => {
      const u = await s.register();
      const before = h.events.length;
      const res = await h.http.post(`/api/admin/users/${u.user.id}/revoke-sessions`).set(auth(admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectProblem(await h.http.get('/api/users/me').set(auth(u.token)), 401, 'AUTH_INVALID');
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: expect.objectContaining({ userId: u.user.id }) });
      const fresh = await s.login(u.email, u.password);
      expect((await h.http.get('/api/users/me').set(auth(fresh))).status).toBe(200);
      await writesNothing(h, async () => {
        expectProblem(await h.http.post(`/api/admin/users/${randomUUID()}/revoke-sessions`).set(auth(admin)), 404, 'IDENTITY_USER_NOT_FOUND');
      });
    });
  });

  describe('global grants: entitlements (cap:*) and roles (role:*)', () => {
    it('entitlements: 201, 200 when repeated, listed, in /api/users/me; cap:registry.x stored canonical; DELETE 204 then 404', async () => {
      const u = await s.register();
      const path = `/api/admin/users/${u.user.id}/entitlements`;
      const first = await h.http.post(path).set(auth(admin)).send({ key: 'cap:registry.sign' });
      expect(first.status).toBe(201);
      expect(fields(first.body)).toEqual(['createdAt', 'expiresAt', 'grantedBy', 'key']);
      expect(first.body).toMatchObject({ key: 'cap:catalog.sign', expiresAt: null, grantedBy: adminId });
      await writesNothing(h, async () => {
        const again = await h.http.post(path).set(auth(admin)).send({ key: 'cap:catalog.sign' });
        expect(again.status).toBe(200);
        expect(again.body).toEqual(first.body);
      });
      const list = await h.http.get(path).set(auth(admin));
      expect(list.body).toEqual({ entitlements: [first.body] });
      expect((await h.http.get('/api/users/me').set(auth(u.token))).body.entitlements).toEqual(['cap:catalog.sign']);
      expect(await auditRows(h, { action: 'entitlement.granted', resourceId: u.user.id })).toHaveLength(1);
      expect((await h.http.delete(`${path}/cap:registry.sign`).set(auth(admin))).status).toBe(204);
      expect(await auditRows(h, { action: 'entitlement.revoked', resourceId: u.user.id })).toHaveLength(1);
      expect((await h.http.get('/api/users/me').set(auth(u.token))).body.entitlements).toEqual([]);
      await writesNothing(h, async () => {
        expect((await h.http.delete(`${path}/cap:catalog.sign`).set(auth(admin))).status).toBe(404);
      });
    });

    it('roles: 201, 200 when repeated, listed, in /api/users/me and introspection; DELETE 204', async () => {
      const u = await s.register();
      const path = `/api/admin/users/${u.user.id}/roles`;
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const first = await h.http.post(path).set(auth(admin)).send({ key: 'role:publisher', expiresAt: future });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ key: 'role:publisher', expiresAt: future, grantedBy: adminId });
      expect((await h.http.post(path).set(auth(admin)).send({ key: 'role:publisher' })).status).toBe(200);
      expect((await h.http.get(path).set(auth(admin))).body).toEqual({ roles: [first.body] });
      expect((await h.http.get('/api/users/me').set(auth(u.token))).body.roles).toEqual(['role:publisher']);
      expect((await s.introspect(u.token)).roles).toEqual(['role:publisher']);
      // Expired roles are ignored.
      await h.deps.database.query("UPDATE identity.user_grants SET expires_at = now() - interval '1 second' WHERE user_id = $1", [u.user.id]);
      expect((await h.http.get('/api/users/me').set(auth(u.token))).body.roles).toEqual([]);
      expect(await auditRows(h, { action: 'role.granted', resourceId: u.user.id })).toHaveLength(1);
      expect((await h.http.delete(`${path}/role:publisher`).set(auth(admin))).status).toBe(204);
      expect(await auditRows(h, { action: 'role.revoked', resourceId: u.user.id })).toHaveLength(1);
      expect((await h.http.get(path).set(auth(admin))).body).toEqual({ roles: [] });
    });

    it('400 for keys of the wrong kind or shape and past expiry; 404 IDENTITY_USER_NOT_FOUND; nothing written', async () => {
      const u = await s.register();
      await writesNothing(h, async () => {
        for (const [kind, body] of [
          ['entitlements', { key: 'role:publisher' }],
          ['entitlements', { key: 'cap:' }],
          ['entitlements', { key: 'catalog.sign' }],
          ['entitlements', { key: 'cap:catalog.sign', expiresAt: new Date(Date.now() - 1000).toISOString() }],
          ['roles', { key: 'cap:catalog.sign' }],
          ['roles', { key: 'role:Publisher' }],
          ['roles', { key: `role:${'x'.repeat(51)}` }],
          ['roles', { key: 'role:publisher', extra: true }],
        ] as const) {
          expectProblem(await h.http.post(`/api/admin/users/${u.user.id}/${kind}`).set(auth(admin)).send(body), 400, 'VALIDATION_FAILED');
        }
        for (const kind of ['entitlements', 'roles']) {
          const key = kind === 'roles' ? 'role:publisher' : 'cap:catalog.sign';
          expectProblem(await h.http.get(`/api/admin/users/${randomUUID()}/${kind}`).set(auth(admin)), 404, 'IDENTITY_USER_NOT_FOUND');
          expectProblem(await h.http.post(`/api/admin/users/${randomUUID()}/${kind}`).set(auth(admin)).send({ key }), 404, 'IDENTITY_USER_NOT_FOUND');
          expectProblem(await h.http.delete(`/api/admin/users/${randomUUID()}/${kind}/${key}`).set(auth(admin)), 404, 'IDENTITY_USER_NOT_FOUND');
        }
      });
    });
  });

  describe('orgs', () => {
    it('GET /api/admin/orgs lists every org with memberCount and projectCount, paged', async () => {
      const res = await h.http.get('/api/admin/orgs?limit=200').set(auth(admin));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['nextCursor', 'organizations']);
      for (const o of res.body.organizations) expect(fields(o)).toEqual(['createdAt', 'id', 'memberCount', 'name', 'planId', 'projectCount', 'slug']);
      expect(res.body.organizations).toContainEqual(expect.objectContaining({ id: A.orgId, memberCount: 1, projectCount: 0 }));
      const all = res.body.organizations.map((o: { id: string }) => o.id);
      expect(await walkPages(h, '/api/admin/orgs', 'organizations', auth(admin), 2)).toEqual(all);
      const page = await h.http.get('/api/admin/orgs?limit=1').set(auth(admin));
      expectProblem(await h.http.get(`/api/admin/orgs?limit=1&cursor=${encodeURIComponent(tamper(page.body.nextCursor))}`).set(auth(admin)), 400, 'PAGINATION_CURSOR_INVALID');
      const users = await h.http.get('/api/admin/users?limit=1').set(auth(admin));
      expectProblem(await h.http.get(`/api/admin/orgs?limit=1&cursor=${encodeURIComponent(users.body.nextCursor)}`).set(auth(admin)), 400, 'PAGINATION_CURSOR_INVALID');
    });

    it('PATCH /api/admin/orgs/:id edits name, slug and plan; 404 for unknown org or plan; 409 for a taken slug', async () => {
      const o = await s.orgAdmin();
      const pro = await seededPlanId();
      const slug = `admin-set-${s.unique()}`;
      const res = await h.http.patch(`/api/admin/orgs/${o.orgId}`).set(auth(admin)).send({ name: 'By Admin', slug, planId: pro });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: o.orgId, name: 'By Admin', slug, planId: pro });
      expect((await h.http.get(`/api/license/${o.orgId}`).set(auth(o.token))).body.plan.name).toBe('pro');
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch(`/api/admin/orgs/${o.orgId}`).set(auth(admin)).send({ planId: randomUUID() }), 404, 'IDENTITY_PLAN_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/admin/orgs/${randomUUID()}`).set(auth(admin)).send({ name: 'x' }), 404, 'IDENTITY_ORG_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/admin/orgs/${o.orgId}`).set(auth(admin)).send({ slug: A.slug }), 409, 'IDENTITY_ORG_SLUG_TAKEN');
        expectProblem(await h.http.patch(`/api/admin/orgs/${o.orgId}`).set(auth(admin)).send({ slug: 'Bad Slug' }), 400, 'VALIDATION_FAILED');
      });
    });

    it('DELETE /api/admin/orgs/:id deletes with the same cascade and event; 404 for unknown', async () => {
      const o = await s.orgAdmin();
      const agent = await s.agent(o.token, o.orgId);
      const before = h.events.length;
      const res = await h.http.delete(`/api/admin/orgs/${o.orgId}`).set(auth(admin));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.org.deleted', payload: { orgId: o.orgId } });
      expect(await s.introspect(agent.token)).toEqual({ active: false });
      expect((await h.http.get('/api/orgs').set(auth(o.token))).body.organizations).toEqual([]);
      expect(await auditRows(h, { action: 'org.deleted', resourceId: o.orgId })).toEqual([expect.objectContaining({ actor_id: adminId })]);
      await writesNothing(h, async () => {
        expectProblem(await h.http.delete(`/api/admin/orgs/${o.orgId}`).set(auth(admin)), 404, 'IDENTITY_ORG_NOT_FOUND');
      });
    });
  });

  describe('plans', () => {
    it('POST 201 and PATCH 200 with {id,name,features,limits,priceCents}; 409 IDENTITY_PLAN_NAME_TAKEN; 404 IDENTITY_PLAN_NOT_FOUND', async () => {
      const name = `team-${s.unique()}`;
      const res = await h.http.post('/api/admin/plans').set(auth(admin)).send({ name, features: ['catalog', 'sso'], limits: { members: 25, projects: -1 }, priceCents: 1900 });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['features', 'id', 'limits', 'name', 'priceCents']);
      expect(res.body).toMatchObject({ name, features: ['catalog', 'sso'], limits: { members: 25, projects: -1 }, priceCents: 1900 });
      expect((await h.http.get('/api/plans').set(auth(A.token))).body.plans).toContainEqual(res.body);
      const patched = await h.http.patch(`/api/admin/plans/${res.body.id}`).set(auth(admin)).send({ priceCents: 2900, features: ['catalog'] });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ ...res.body, priceCents: 2900, features: ['catalog'] });
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/admin/plans').set(auth(admin)).send({ name, features: [], limits: {}, priceCents: 0 }), 409, 'IDENTITY_PLAN_NAME_TAKEN');
        expectProblem(await h.http.post('/api/admin/plans').set(auth(admin)).send({ name: 'free', features: [], limits: {}, priceCents: 0 }), 409, 'IDENTITY_PLAN_NAME_TAKEN');
        expectProblem(await h.http.patch(`/api/admin/plans/${res.body.id}`).set(auth(admin)).send({ name: 'pro' }), 409, 'IDENTITY_PLAN_NAME_TAKEN');
        expectProblem(await h.http.patch(`/api/admin/plans/${randomUUID()}`).set(auth(admin)).send({ priceCents: 1 }), 404, 'IDENTITY_PLAN_NOT_FOUND');
        for (const body of [
          { name: 'x', features: [], limits: {}, priceCents: -1 },
          { name: 'x', features: [], limits: {}, priceCents: 1.5 },
          { name: 'x', features: [1], limits: {}, priceCents: 0 },
          { name: 'x', features: [], limits: { members: 'many' }, priceCents: 0 },
          { name: 'x', features: [], limits: { members: 2.5 }, priceCents: 0 },
          { name: '', features: [], limits: {}, priceCents: 0 },
          { name: 'x', features: [], limits: {} },
        ]) {
          expectProblem(await h.http.post('/api/admin/plans').set(auth(admin)).send(body), 400, 'VALIDATION_FAILED');
        }
      });
    });
  });

  describe('stats and email outbox', () => {
    it('GET /api/stats answers the totals', async () => {
      await s.agent(A.token, A.orgId);
      const res = await h.http.get('/api/stats').set(auth(admin));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['totalAgents', 'totalOrgs', 'totalUsers']);
      const count = async (t: string) => (await h.deps.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity.${t}`)).rows[0]!.n;
      expect(res.body).toEqual({ totalUsers: await count('users'), totalOrgs: await count('organizations'), totalAgents: await count('agents') });
      expect(res.body.totalAgents).toBeGreaterThanOrEqual(1);
      const u = await s.orgAdmin();
      expect((await h.http.get('/api/stats').set(auth(admin))).body).toMatchObject({ totalUsers: res.body.totalUsers + 1, totalOrgs: res.body.totalOrgs + 1 });
      expectProblem(await h.http.get('/api/stats').set(auth(u.token)), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
    });

    it('GET /api/admin/email-outbox lists stored mail in outbox mode and is 404 otherwise', async () => {
      const u = await s.register();
      await h.resetRateLimits('identity.forgot');
      expect((await h.http.post('/api/auth/forgot-password').send({ email: u.email })).status).toBe(200);
      const res = await h.http.get('/api/admin/email-outbox').set(auth(admin));
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual(['messages']);
      const mine = res.body.messages.filter((m: { to: string }) => m.to === u.email);
      expect(mine).toHaveLength(1);
      expect(fields(mine[0])).toEqual(['body', 'createdAt', 'subject', 'to']);
      expect(mine[0].createdAt).toMatch(ISO);
      const mailer = h.deps.mailer;
      try {
        (h.deps as { mailer: typeof mailer }).mailer = createMailer({ mode: 'disabled', from: 'x@example.test' });
        const off = await h.http.get('/api/admin/email-outbox').set(auth(admin));
        expect(off.status).toBe(404);
        expect(off.headers['content-type']).toMatch(/^application\/problem\+json/);
      } finally {
        (h.deps as { mailer: typeof mailer }).mailer = mailer;
      }
    });
  });

  describe('audit log', () => {
    it('entries carry exactly the outline fields, with the request id, address and user agent of the change', async () => {
      const o = await s.orgAdmin();
      const requestId = `audit-${s.unique()}`;
      const res = await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).set('x-request-id', requestId).set('user-agent', 'audit-test/1.0').send({ name: 'Audited' });
      expect(res.status).toBe(200);
      const list = await h.http.get(`/api/orgs/${o.orgId}/audit-logs?action=org.updated`).set(auth(o.token));
      expect(list.status).toBe(200);
      expect(fields(list.body)).toEqual(['auditLogs', 'nextCursor']);
      expect(list.body.auditLogs).toHaveLength(1);
      const entry = list.body.auditLogs[0];
      expect(fields(entry)).toEqual(AUDIT_FIELDS);
      expect(entry).toMatchObject({ actorType: 'user', actorId: o.user.id, orgId: o.orgId, action: 'org.updated', resource: 'org', resourceId: o.orgId, requestId, userAgent: 'audit-test/1.0' });
      expect(entry.ip).toEqual(expect.any(String));
      expect(entry.createdAt).toMatch(ISO);
      expect(entry.metadata).toEqual(expect.any(Object));
      // The same entry on the admin route.
      const adminList = await h.http.get(`/api/admin/audit-logs?orgId=${o.orgId}&action=org.updated`).set(auth(admin));
      expect(adminList.body.auditLogs).toEqual([entry]);
    });

    it('actions of API keys, agents and services are attributed to them', async () => {
      const o = await s.orgAdmin();
      const a = await s.agent(o.token, o.orgId);
      const key = await s.key(o.token, { orgId: o.orgId });
      expect((await h.http.patch(`/api/orgs/${o.orgId}`).set(apiKeyHeader(key.key)).send({ name: 'Via key' })).status).toBe(200);
      const viaKey = (await auditRows(h, { action: 'org.updated', orgId: o.orgId }))[0]!;
      expect(viaKey).toMatchObject({ actor_type: 'api_key', actor_id: key.id });
      expect((await auditRows(h, { action: 'agent.registered', resourceId: a.agent.id }))[0]).toMatchObject({ actor_type: 'user', actor_id: o.user.id, org_id: o.orgId });
    });

    it('a failed change leaves no entry: entries are written in the change\'s own transaction', async () => {
      const o = await s.orgAdmin();
      const before = (await auditRows(h)).length;
      expectProblem(await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ slug: A.slug }), 409, 'IDENTITY_ORG_SLUG_TAKEN');
      expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${o.user.id}`).set(auth(o.token)).send({ role: 'member' }), 409, 'IDENTITY_LAST_ADMIN');
      expect((await auditRows(h)).length).toBe(before);
      // When writing the entry fails, the change itself is rolled back.
      await h.deps.database.query(`
        CREATE OR REPLACE FUNCTION identity.test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.org_id = '${o.orgId}' THEN RAISE EXCEPTION 'audit refused by test'; END IF;
          RETURN NEW;
        END $$`);
      await h.deps.database.query('CREATE TRIGGER test_refuse_audit BEFORE INSERT ON identity.audit_logs FOR EACH ROW EXECUTE FUNCTION identity.test_refuse_audit()');
      try {
        const u = await s.register();
        await writesNothing(h, async () => {
          const res = await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ name: 'Never saved' });
          expectProblem(res, 500, 'INTERNAL_ERROR');
          expect(JSON.stringify(res.body)).not.toContain('audit refused');
          expect((await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: u.email })).status).toBe(500);
        });
      } finally {
        await h.deps.database.query('DROP TRIGGER test_refuse_audit ON identity.audit_logs');
        await h.deps.database.query('DROP FUNCTION identity.test_refuse_audit()');
      }
      const org = await h.http.get(`/api/orgs/${o.orgId}`).set(auth(o.token));
      expect(org.body.organization.name).not.toBe('Never saved');
      expect(org.body.members).toHaveLength(1);
    });

    it('the org audit log shows only that org\'s entries, to its admins; filters action, actorId, from, to', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'admin');
      for (let i = 0; i < 3; i++) await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ name: `O ${i}` });
      await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(m.token)).send({ name: 'By m' });
      await h.http.patch(`/api/orgs/${B.orgId}`).set(auth(B.token)).send({ name: 'B elsewhere' });
      const all = await h.http.get(`/api/orgs/${o.orgId}/audit-logs`).set(auth(o.token));
      expect(all.status).toBe(200);
      expect(all.body.auditLogs.length).toBeGreaterThanOrEqual(6);
      for (const e of all.body.auditLogs) expect(e.orgId).toBe(o.orgId);
      const times = all.body.auditLogs.map((e: { createdAt: string }) => e.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      const updates = await h.http.get(`/api/orgs/${o.orgId}/audit-logs?action=org.updated`).set(auth(o.token));
      expect(updates.body.auditLogs).toHaveLength(4);
      const byM = await h.http.get(`/api/orgs/${o.orgId}/audit-logs?actorId=${m.user.id}`).set(auth(o.token));
      expect(byM.body.auditLogs.map((e: { action: string }) => e.action)).toEqual(['org.updated']);
      // from/to bracket entries by time.
      const oldest = updates.body.auditLogs[3].createdAt as string;
      const newest = updates.body.auditLogs[0].createdAt as string;
      const fromNewest = await h.http.get(`/api/orgs/${o.orgId}/audit-logs?action=org.updated&from=${encodeURIComponent(newest)}`).set(auth(o.token));
      expect(fromNewest.body.auditLogs.map((e: { createdAt: string }) => e.createdAt).every((t: string) => t >= newest)).toBe(true);
      expect(fromNewest.body.auditLogs.length).toBeGreaterThanOrEqual(1);
      const toOldest = await h.http.get(`/api/orgs/${o.orgId}/audit-logs?action=org.updated&to=${encodeURIComponent(oldest)}`).set(auth(o.token));
      expect(toOldest.body.auditLogs.map((e: { createdAt: string }) => e.createdAt).every((t: string) => t <= oldest)).toBe(true);
      expect(toOldest.body.auditLogs.length).toBeGreaterThanOrEqual(1);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect((await h.http.get(`/api/orgs/${o.orgId}/audit-logs?from=${encodeURIComponent(future)}`).set(auth(o.token))).body.auditLogs).toEqual([]);
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/audit-logs?from=yesterday`).set(auth(o.token)), 400, 'VALIDATION_FAILED');
      // Pages, and cursors bound to their filters.
      const ids = all.body.auditLogs.map((e: { id: string }) => e.id);
      expect(await walkPages(h, `/api/orgs/${o.orgId}/audit-logs`, 'auditLogs', auth(o.token), 2)).toEqual(ids);
      const page = await h.http.get(`/api/orgs/${o.orgId}/audit-logs?action=org.updated&limit=1`).set(auth(o.token));
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/audit-logs?limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(o.token)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/audit-logs?action=org.updated&limit=1&cursor=${encodeURIComponent(tamper(page.body.nextCursor))}`).set(auth(o.token)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get(`/api/admin/audit-logs?orgId=${o.orgId}&action=org.updated&limit=1&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(admin)), 400, 'PAGINATION_CURSOR_INVALID');
      // Only admins of the org.
      const viewer = await s.addMember(o.token, o.orgId, 'viewer');
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/audit-logs`).set(auth(viewer.token)), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/audit-logs`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
    });

    it('the admin audit log pages the whole log; limit above 200 is clamped to 200', async () => {
      const action = `test.bulk.${s.unique()}`;
      await h.deps.database.query(
        `INSERT INTO identity.audit_logs (actor_type, action, created_at, metadata)
         SELECT 'system', $1, now() - (g || ' milliseconds')::interval, '{}'::jsonb FROM generate_series(1, 250) AS g`,
        [action],
      );
      const res = await h.http.get(`/api/admin/audit-logs?action=${action}&limit=1000`).set(auth(admin));
      expect(res.status).toBe(200);
      expect(res.body.auditLogs).toHaveLength(200);
      expect(res.body.nextCursor).toEqual(expect.any(String));
      const def = await h.http.get(`/api/admin/audit-logs?action=${action}`).set(auth(admin));
      expect(def.body.auditLogs).toHaveLength(50);
      const ids = await walkPages(h, `/api/admin/audit-logs?action=${action}`, 'auditLogs', auth(admin), 200);
      expect(ids).toHaveLength(250);
      expectProblem(await h.http.get('/api/admin/audit-logs?limit=0').set(auth(admin)), 400, 'VALIDATION_FAILED');
      expectProblem(await h.http.get('/api/admin/audit-logs?orgId=nope').set(auth(admin)), 400, 'VALIDATION_FAILED');
      const actorFiltered = await h.http.get(`/api/admin/audit-logs?actorId=${A.user.id}`).set(auth(admin));
      expect(actorFiltered.body.auditLogs.length).toBeGreaterThan(0);
      for (const e of actorFiltered.body.auditLogs) expect(e.actorId).toBe(A.user.id);
    });

    it('no API updates or deletes entries', async () => {
      const o = await s.orgAdmin();
      const entry = (await h.http.get(`/api/orgs/${o.orgId}/audit-logs`).set(auth(o.token))).body.auditLogs[0];
      await writesNothing(h, async () => {
        for (const path of ['/api/admin/audit-logs', `/api/orgs/${o.orgId}/audit-logs`]) {
          for (const method of ['put', 'patch', 'delete', 'post'] as const) {
            const res = await h.http[method](path).set(auth(admin)).send({});
            expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
            expect(res.headers.allow).toContain('GET');
          }
        }
        for (const path of [`/api/admin/audit-logs/${entry.id}`, `/api/orgs/${o.orgId}/audit-logs/${entry.id}`]) {
          for (const method of ['get', 'put', 'patch', 'delete'] as const) {
            expect([404, 405]).toContain((await h.http[method](path).set(auth(admin)).send({})).status);
          }
        }
      });
    });

    it('no audit entry holds a secret', async () => {
      const u = await s.orgAdmin();
      const key = await s.key(u.token);
      const agent = await s.agent(u.token, u.orgId);
      await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: 'another-long-passphrase' });
      const sa = await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId: `sec-${s.unique().slice(0, 8)}` });
      await h.resetRateLimits('identity.login');
      await h.http.post('/api/auth/login').send({ email: u.email, password: 'a-wrong-password-attempt' });
      const dump = JSON.stringify(await auditRows(h));
      for (const secret of [key.key, key.key.slice(11), agent.credential!, sa.body.secret, u.password, 'another-long-passphrase', 'a-wrong-password-attempt', ADMIN.password]) {
        expect(dump).not.toContain(secret);
      }
      expect(dump).not.toMatch(/\$2[aby]\$/);
      expect(dump).not.toMatch(/sk_[0-9a-f]{64}|svc_[0-9a-f]{64}|agc_[0-9a-f]{64}/);
    });
  });
});
