import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeader, auditRows, auth, expectProblem, fields, scenario, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

/** Outline §2.4: the calling user, their profile, password and sessions, and the dashboard. */
describeEachEngine('identity users (§2.4)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let agentToken: string;
  let serviceToken: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    const owner = await s.orgAdmin();
    agentToken = (await s.agent(owner.token, owner.orgId)).token;
    serviceToken = await s.serviceToken('network');
  });
  afterAll(() => h.close());

  describe('GET /api/users/me', () => {
    it('answers the user with exactly the outline fields', async () => {
      const u = await s.register({ name: '  Ada Lovelace  ', orgName: 'Analytical Engines' });
      const res = await h.http.get('/api/users/me').set(auth(u.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['createdAt', 'email', 'entitlements', 'id', 'isActive', 'isSuperAdmin', 'name', 'organizations', 'roles', 'updatedAt']);
      expect(res.body).toMatchObject({ id: u.user.id, email: u.email, name: 'Ada Lovelace', isSuperAdmin: false, isActive: true, entitlements: [], roles: [] });
      expect(res.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(res.body.organizations).toHaveLength(1);
      expect(fields(res.body.organizations[0])).toEqual(['id', 'name', 'role', 'slug']);
      expect(res.body.organizations[0]).toMatchObject({ name: 'Analytical Engines', slug: 'analytical-engines', role: 'admin' });
    });

    it('accepts an API key, acting as its creator', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      const res = await h.http.get('/api/users/me').set(apiKeyHeader(key.key));
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(u.user.id);
    });

    it('shows global grants as entitlements and roles', async () => {
      const u = await s.register();
      const admin = await s.admin();
      expect((await h.http.post(`/api/admin/users/${u.user.id}/entitlements`).set(auth(admin)).send({ key: 'cap:catalog.sign' })).status).toBe(201);
      expect((await h.http.post(`/api/admin/users/${u.user.id}/roles`).set(auth(admin)).send({ key: 'role:publisher' })).status).toBe(201);
      const res = await h.http.get('/api/users/me').set(auth(u.token));
      expect(res.body).toMatchObject({ entitlements: ['cap:catalog.sign'], roles: ['role:publisher'] });
    });

    it('refuses agents and services with 403 IDENTITY_USER_TOKEN_REQUIRED and anonymous callers with 401', async () => {
      expectProblem(await h.http.get('/api/users/me').set(auth(agentToken)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.get('/api/users/me').set(auth(serviceToken)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      const anon = await h.http.get('/api/users/me');
      expectProblem(anon, 401, 'AUTH_REQUIRED');
      expect(anon.headers['www-authenticate']).toBe('Bearer realm="symbia"');
    });
  });

  describe('PATCH /api/users/me', () => {
    it('renames (trimmed) without a password and audits the change', async () => {
      const u = await s.register();
      const res = await h.http.patch('/api/users/me').set(auth(u.token)).send({ name: '  Grace Hopper ' });
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['createdAt', 'email', 'entitlements', 'id', 'isActive', 'isSuperAdmin', 'name', 'organizations', 'roles', 'updatedAt']);
      expect(res.body.name).toBe('Grace Hopper');
      const rows = await auditRows(h, { resourceId: u.user.id });
      expect(rows.some((r) => r.actor_id === u.user.id && r.actor_type === 'user' && String(r.action).startsWith('user.'))).toBe(true);
    });

    it('changes the email only with the current password; the email is trimmed and lower-cased', async () => {
      const u = await s.register();
      const newEmail = `changed-${s.unique()}@example.test`;
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch('/api/users/me').set(auth(u.token)).send({ email: newEmail }), 400, 'IDENTITY_CURRENT_PASSWORD_INVALID');
        expectProblem(await h.http.patch('/api/users/me').set(auth(u.token)).send({ email: newEmail, currentPassword: 'not-the-password' }), 400, 'IDENTITY_CURRENT_PASSWORD_INVALID');
      });
      const res = await h.http.patch('/api/users/me').set(auth(u.token)).send({ email: `  ${newEmail.toUpperCase()} `, currentPassword: u.password });
      expect(res.status).toBe(200);
      expect(res.body.email).toBe(newEmail);
      // The new email logs in; the token in hand keeps working.
      expect(await s.login(newEmail, u.password)).toEqual(expect.any(String));
      expect((await h.http.get('/api/users/me').set(auth(u.token))).status).toBe(200);
    });

    it('sending the unchanged email needs no password', async () => {
      const u = await s.register();
      const res = await h.http.patch('/api/users/me').set(auth(u.token)).send({ email: u.email });
      expect(res.status).toBe(200);
    });

    it('409 IDENTITY_EMAIL_TAKEN for another account\'s email, writing nothing', async () => {
      const u = await s.register();
      const other = await s.register();
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch('/api/users/me').set(auth(u.token)).send({ email: other.email, currentPassword: u.password }), 409, 'IDENTITY_EMAIL_TAKEN');
      });
      expect((await h.http.get('/api/users/me').set(auth(u.token))).body.email).toBe(u.email);
    });

    it('400 VALIDATION_FAILED on bad or unknown fields, writing nothing', async () => {
      const u = await s.register();
      await writesNothing(h, async () => {
        for (const body of [{ name: '' }, { name: 'x'.repeat(101) }, { name: '   ' }, { email: 'not-an-email', currentPassword: u.password }, { isSuperAdmin: true }, { currentPassword: '' }]) {
          const res = await h.http.patch('/api/users/me').set(auth(u.token)).send(body);
          expectProblem(res, 400, 'VALIDATION_FAILED');
          expect(res.body.errors[0].location).toBe('body');
        }
      });
    });

    it('is user-jwt only: API keys, agents and services get 403 IDENTITY_USER_TOKEN_REQUIRED', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      await writesNothing(h, async () => {
        for (const headers of [apiKeyHeader(key.key), auth(key.key), auth(agentToken), auth(serviceToken)]) {
          expectProblem(await h.http.patch('/api/users/me').set(headers).send({ name: 'Mallory' }), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        }
      });
      expect((await h.http.get('/api/users/me').set(auth(u.token))).body.name).toBe('Test User');
    });
  });

  describe('POST /api/users/me/password', () => {
    it('changes the password, returns a fresh token and revokes every other token', async () => {
      const u = await s.register();
      const second = await s.login(u.email, u.password);
      const eventsBefore = h.events.length;
      const res = await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: 'a-brand-new-passphrase' });
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['expiresAt', 'token']);
      expect(res.headers['cache-control']).toBe('no-store');
      expect((await h.http.get('/api/users/me').set(auth(res.body.token))).status).toBe(200);
      expectProblem(await h.http.get('/api/users/me').set(auth(u.token)), 401, 'AUTH_INVALID');
      expectProblem(await h.http.get('/api/users/me').set(auth(second)), 401, 'AUTH_INVALID');
      expect(h.events.slice(eventsBefore)).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: expect.objectContaining({ userId: u.user.id }) });
      expect(await s.login(u.email, 'a-brand-new-passphrase')).toEqual(expect.any(String));
      const rows = await auditRows(h, { action: 'user.password_changed', resourceId: u.user.id });
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain('a-brand-new-passphrase');
      expect(h.logText()).not.toContain('a-brand-new-passphrase');
    });

    it('400 IDENTITY_CURRENT_PASSWORD_INVALID and IDENTITY_PASSWORD_WEAK, writing nothing and keeping the token', async () => {
      const u = await s.register();
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: 'wrong-password', newPassword: 'a-brand-new-passphrase' }), 400, 'IDENTITY_CURRENT_PASSWORD_INVALID');
        expectProblem(await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: 'password123' }), 400, 'IDENTITY_PASSWORD_WEAK');
        expectProblem(await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: u.email }), 400, 'IDENTITY_PASSWORD_WEAK');
        expectProblem(await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: 'short' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/users/me/password').set(auth(u.token)).send({ currentPassword: u.password, newPassword: 'x'.repeat(129) }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post('/api/users/me/password').set(auth(u.token)).send({ newPassword: 'a-brand-new-passphrase' }), 400, 'VALIDATION_FAILED');
      });
      expect((await h.http.get('/api/users/me').set(auth(u.token))).status).toBe(200);
    });

    it('is user-jwt only', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      for (const headers of [apiKeyHeader(key.key), auth(agentToken), auth(serviceToken)]) {
        expectProblem(await h.http.post('/api/users/me/password').set(headers).send({ currentPassword: u.password, newPassword: 'a-brand-new-passphrase' }), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      }
      expectProblem(await h.http.post('/api/users/me/password').send({ currentPassword: u.password, newPassword: 'a-brand-new-passphrase' }), 401, 'AUTH_REQUIRED');
    });
  });

  describe('POST /api/users/me/sessions/revoke', () => {
    it('204 with no body; every token of the user, this one included, stops working', async () => {
      const u = await s.register();
      const second = await s.login(u.email, u.password);
      const eventsBefore = h.events.length;
      const res = await h.http.post('/api/users/me/sessions/revoke').set(auth(u.token));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expectProblem(await h.http.get('/api/users/me').set(auth(u.token)), 401, 'AUTH_INVALID');
      expectProblem(await h.http.get('/api/users/me').set(auth(second)), 401, 'AUTH_INVALID');
      expect(h.events.slice(eventsBefore)).toContainEqual({ type: 'identity.user.sessionsRevoked', payload: expect.objectContaining({ userId: u.user.id }) });
      expect(await auditRows(h, { action: 'user.sessions_revoked', resourceId: u.user.id })).toHaveLength(1);
      // Logging in again works.
      expect((await h.http.get('/api/users/me').set(auth(await s.login(u.email, u.password)))).status).toBe(200);
    });

    it('is user-jwt only and 401 without a credential', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      await writesNothing(h, async () => {
        for (const headers of [apiKeyHeader(key.key), auth(agentToken), auth(serviceToken)]) {
          expectProblem(await h.http.post('/api/users/me/sessions/revoke').set(headers), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        }
        expectProblem(await h.http.post('/api/users/me/sessions/revoke'), 401, 'AUTH_REQUIRED');
      });
      expect((await h.http.get('/api/users/me').set(auth(u.token))).status).toBe(200);
    });
  });

  describe('GET /api/dashboard', () => {
    it('lists the orgs with member count and plan name, and at most 20 of the caller\'s own audit entries', async () => {
      const u = await s.orgAdmin();
      const other = await s.orgAdmin();
      await s.addMember(u.token, u.orgId, 'member');
      for (let i = 0; i < 22; i++) {
        expect((await h.http.patch(`/api/orgs/${u.orgId}`).set(auth(u.token)).send({ name: `Renamed ${i}` })).status).toBe(200);
      }
      const res = await h.http.get('/api/dashboard').set(auth(u.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['organizations', 'recentActivity']);
      expect(res.body.organizations).toHaveLength(1);
      expect(fields(res.body.organizations[0])).toEqual(['id', 'memberCount', 'name', 'planName', 'role', 'slug']);
      expect(res.body.organizations[0]).toMatchObject({ id: u.orgId, name: 'Renamed 21', role: 'admin', memberCount: 2, planName: 'free' });
      expect(res.body.recentActivity).toHaveLength(20);
      for (const entry of res.body.recentActivity) expect(entry.actorId).toBe(u.user.id);
      expect(res.body.recentActivity[0].action).toBe('org.updated');
      expect(JSON.stringify(res.body)).not.toContain(other.orgId);
    });

    it('accepts an API key; refuses agents and services with 403 and anonymous callers with 401', async () => {
      const u = await s.register();
      const key = await s.key(u.token);
      expect((await h.http.get('/api/dashboard').set(apiKeyHeader(key.key))).status).toBe(200);
      expectProblem(await h.http.get('/api/dashboard').set(auth(agentToken)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.get('/api/dashboard').set(auth(serviceToken)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.get('/api/dashboard'), 401, 'AUTH_REQUIRED');
    });
  });
});
