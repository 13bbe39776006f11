import { describeEachEngine } from '@symbia/db/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeader, auditRows, auth, expectProblem, fields, scenario, tamper, walkPages, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type OrgAdmin = Awaited<ReturnType<ReturnType<typeof scenario>['orgAdmin']>>;
type Member = Awaited<ReturnType<ReturnType<typeof scenario>['addMember']>>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const AGENT_FIELDS = ['agentId', 'capabilities', 'createdAt', 'id', 'isActive', 'lastSeenAt', 'name', 'orgId'];
const SERVICE_SECRET = /^svc_[0-9a-f]{64}$/;

/** Outline §2.8: agents of an org, and the super admin's service accounts. */
describeEachEngine('identity agents and service accounts (§2.8)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let A: OrgAdmin;
  let B: OrgAdmin;
  let memberA: Member;
  let viewerA: Member;
  let admin: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    memberA = await s.addMember(A.token, A.orgId, 'member');
    viewerA = await s.addMember(A.token, A.orgId, 'viewer');
    admin = await s.admin();
  });
  afterAll(() => h.close());

  const agentLogin = async (agentId: string, credential: string) => {
    await h.resetRateLimits('identity.login');
    return h.http.post('/api/auth/agent/login').send({ agentId, credential });
  };
  const serviceLogin = async (serviceId: string, secret: string) => {
    await h.resetRateLimits('identity.login');
    return h.http.post('/api/auth/service/token').send({ serviceId, secret });
  };

  describe('GET /api/orgs/:orgId/agents', () => {
    it('lists the org\'s agents to a viewer with the outline fields, newest first, paging without gaps or duplicates', async () => {
      const o = await s.orgAdmin();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await s.agent(o.token, o.orgId, { capabilities: ['cap:logging.ingest'] })).agent.id);
      await s.agent(B.token, B.orgId);
      const v = await s.addMember(o.token, o.orgId, 'viewer');
      const res = await h.http.get(`/api/orgs/${o.orgId}/agents`).set(auth(v.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['agents', 'nextCursor']);
      expect(res.body.nextCursor).toBeNull();
      for (const a of res.body.agents) {
        expect(fields(a)).toEqual(AGENT_FIELDS);
        expect(a).toMatchObject({ orgId: o.orgId, capabilities: ['cap:logging.ingest'], isActive: true, lastSeenAt: null });
        expect(a.createdAt).toMatch(ISO);
      }
      expect(res.body.agents.map((a: { id: string }) => a.id)).toEqual([...ids].reverse());
      for (const limit of [1, 2, 3]) expect(await walkPages(h, `/api/orgs/${o.orgId}/agents`, 'agents', auth(v.token), limit)).toEqual([...ids].reverse());
      expect((await h.http.get(`/api/orgs/${o.orgId}/agents?limit=201`).set(auth(v.token))).body.agents).toHaveLength(5);
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/agents?limit=0`).set(auth(v.token)), 400, 'VALIDATION_FAILED');
      const page = await h.http.get(`/api/orgs/${o.orgId}/agents?limit=2`).set(auth(v.token));
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/agents?limit=2&cursor=${encodeURIComponent(tamper(page.body.nextCursor))}`).set(auth(v.token)), 400, 'PAGINATION_CURSOR_INVALID');
      // A cursor of another org's list, and of another kind of list.
      const other = await h.http.get(`/api/orgs/${A.orgId}/members?limit=1`).set(auth(A.token));
      expectProblem(await h.http.get(`/api/orgs/${A.orgId}/agents?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(A.token)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/agents?limit=2&cursor=${encodeURIComponent(other.body.nextCursor)}`).set(auth(v.token)), 400, 'PAGINATION_CURSOR_INVALID');
    });

    it('404 IDENTITY_ORG_NOT_FOUND for another org\'s admin and a missing org; a super admin passes', async () => {
      expectProblem(await h.http.get(`/api/orgs/${A.orgId}/agents`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expectProblem(await h.http.get(`/api/orgs/${randomUUID()}/agents`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expect((await h.http.get(`/api/orgs/${A.orgId}/agents`).set(auth(admin))).status).toBe(200);
      expectProblem(await h.http.get(`/api/orgs/${A.orgId}/agents`).set(auth(A.token)).set('x-org-id', B.orgId), 400, 'TENANT_ORG_CONFLICT');
    });
  });

  describe('GET /api/agents/:id', () => {
    it('answers a viewer of the agent\'s org; another org\'s admin and unknown ids get 404 IDENTITY_AGENT_NOT_FOUND', async () => {
      const a = await s.agent(A.token, A.orgId, { name: 'Reader' });
      const res = await h.http.get(`/api/agents/${a.agent.id}`).set(auth(viewerA.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(AGENT_FIELDS);
      expect(res.body).toMatchObject({ id: a.agent.id, agentId: a.agent.agentId, name: 'Reader', orgId: A.orgId, isActive: true });
      const key = await s.key(A.token);
      expect((await h.http.get(`/api/agents/${a.agent.id}`).set(apiKeyHeader(key.key))).status).toBe(200);
      expect((await h.http.get(`/api/agents/${a.agent.id}`).set(auth(admin))).status).toBe(200);
      expectProblem(await h.http.get(`/api/agents/${a.agent.id}`).set(auth(B.token)), 404, 'IDENTITY_AGENT_NOT_FOUND');
      expectProblem(await h.http.get(`/api/agents/${randomUUID()}`).set(auth(A.token)), 404, 'IDENTITY_AGENT_NOT_FOUND');
      const bKey = await s.key(B.token);
      expectProblem(await h.http.get(`/api/agents/${a.agent.id}`).set(apiKeyHeader(bKey.key)), 404, 'IDENTITY_AGENT_NOT_FOUND');
    });

    it('records lastSeenAt at login', async () => {
      const a = await s.agent(A.token, A.orgId);
      expect((await agentLogin(a.agent.agentId, a.credential!)).status).toBe(200);
      const res = await h.http.get(`/api/agents/${a.agent.id}`).set(auth(A.token));
      expect(res.body.lastSeenAt).toMatch(ISO);
    });
  });

  describe('PATCH /api/agents/:id', () => {
    it('an org admin renames and re-scopes; capabilities apply to existing tokens; audited', async () => {
      const a = await s.agent(A.token, A.orgId, { capabilities: ['cap:logging.ingest'] });
      const res = await h.http.patch(`/api/agents/${a.agent.id}`).set(auth(A.token)).send({ name: ' Renamed ', capabilities: ['cap:registry.read', 'cap:logging.read'], metadata: { team: 'x' } });
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(AGENT_FIELDS);
      expect(res.body.name).toBe('Renamed');
      expect([...res.body.capabilities].sort()).toEqual(['cap:catalog.read', 'cap:logging.read']);
      const answer = await s.introspect(a.token);
      expect(answer).toMatchObject({ active: true, type: 'agent' });
      expect([...(answer.capabilities as string[])].sort()).toEqual(['cap:catalog.read', 'cap:logging.read']);
      const rows = await auditRows(h, { action: 'agent.updated', resourceId: a.agent.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_type: 'user', actor_id: A.user.id, org_id: A.orgId });
    });

    it('403 IDENTITY_CAPABILITY_NOT_GRANTABLE for grant-only or non-admin capabilities; a super admin may grant them', async () => {
      const a = await s.agent(A.token, A.orgId);
      await writesNothing(h, async () => {
        for (const capabilities of [['cap:catalog.sign'], ['cap:messaging.observe'], ['cap:identity.introspect'], ['cap:logging.read', 'cap:catalog.certify']]) {
          expectProblem(await h.http.patch(`/api/agents/${a.agent.id}`).set(auth(A.token)).send({ capabilities }), 403, 'IDENTITY_CAPABILITY_NOT_GRANTABLE');
        }
      });
      const res = await h.http.patch(`/api/agents/${a.agent.id}`).set(auth(admin)).send({ capabilities: ['cap:catalog.sign'] });
      expect(res.status).toBe(200);
      expect(res.body.capabilities).toEqual(['cap:catalog.sign']);
    });

    it('400 VALIDATION_FAILED for bad bodies; nothing written', async () => {
      const a = await s.agent(A.token, A.orgId);
      await writesNothing(h, async () => {
        for (const body of [
          { name: '' },
          { capabilities: ['logging.read'] },
          { capabilities: Array.from({ length: 51 }, (_, i) => `cap:logging.c${i}`) },
          { isActive: 'no' },
          { metadata: { blob: 'x'.repeat(9000) } },
          { agentId: 'renamed-agent' },
          { orgId: B.orgId },
        ]) {
          expectProblem(await h.http.patch(`/api/agents/${a.agent.id}`).set(auth(A.token)).send(body), 400, 'VALIDATION_FAILED');
        }
      });
    });

    it('deactivation revokes the agent\'s tokens at once, blocks its login and emits identity.agent.deactivated', async () => {
      const a = await s.agent(A.token, A.orgId);
      expect((await h.http.get('/api/auth/me').set(auth(a.token))).status).toBe(200);
      const before = h.events.length;
      const res = await h.http.patch(`/api/agents/${a.agent.id}`).set(auth(A.token)).send({ isActive: false });
      expect(res.status).toBe(200);
      expect(res.body.isActive).toBe(false);
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.agent.deactivated', payload: { agentId: a.agent.agentId } });
      expectProblem(await h.http.get('/api/auth/me').set(auth(a.token)), 401, 'AUTH_INVALID');
      expect(await s.introspect(a.token)).toEqual({ active: false });
      expectProblem(await agentLogin(a.agent.agentId, a.credential!), 401, 'IDENTITY_CREDENTIALS_INVALID');
      // Reactivated: logging in works again; the old token stays dead.
      expect((await h.http.patch(`/api/agents/${a.agent.id}`).set(auth(A.token)).send({ isActive: true })).status).toBe(200);
      const login = await agentLogin(a.agent.agentId, a.credential!);
      expect(login.status).toBe(200);
      expect((await h.http.get('/api/auth/me').set(auth(login.body.token))).status).toBe(200);
      expect(await s.introspect(a.token)).toEqual({ active: false });
    });
  });

  describe('POST /api/agents/:id/credential', () => {
    it('generates a credential (agc_ + 64 hex, no-store); old tokens and the old credential stop working', async () => {
      const a = await s.agent(A.token, A.orgId);
      const before = h.events.length;
      const res = await h.http.post(`/api/agents/${a.agent.id}/credential`).set(auth(A.token)).send({});
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual(['credential']);
      expect(res.body.credential).toMatch(/^agc_[0-9a-f]{64}$/);
      expect(await s.introspect(a.token)).toEqual({ active: false });
      expect(h.events.slice(before).map((e) => e.type)).toContain('identity.agent.deactivated');
      expectProblem(await agentLogin(a.agent.agentId, a.credential!), 401, 'IDENTITY_CREDENTIALS_INVALID');
      const login = await agentLogin(a.agent.agentId, res.body.credential);
      expect(login.status).toBe(200);
      expect((await s.introspect(login.body.token)).active).toBe(true);
      const rows = await auditRows(h, { action: 'agent.credential_rotated', resourceId: a.agent.id });
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(res.body.credential);
      expect(JSON.stringify(await h.deps.database.exportDatabase())).not.toContain(res.body.credential);
    });

    it('takes a supplied credential (32–256 characters) and answers without one', async () => {
      const a = await s.agent(A.token, A.orgId);
      const credential = `supplied-${'x'.repeat(40)}`;
      const res = await h.http.post(`/api/agents/${a.agent.id}/credential`).set(auth(A.token)).send({ credential });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect((await agentLogin(a.agent.agentId, credential)).status).toBe(200);
      await writesNothing(h, async () => {
        expectProblem(await h.http.post(`/api/agents/${a.agent.id}/credential`).set(auth(A.token)).send({ credential: 'too-short' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post(`/api/agents/${a.agent.id}/credential`).set(auth(A.token)).send({ credential: 'x'.repeat(257) }), 400, 'VALIDATION_FAILED');
      });
    });
  });

  describe('DELETE /api/agents/:id', () => {
    it('204 with no body; the agent and its tokens are gone; audited', async () => {
      const a = await s.agent(A.token, A.orgId);
      const res = await h.http.delete(`/api/agents/${a.agent.id}`).set(auth(A.token));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await s.introspect(a.token)).toEqual({ active: false });
      expectProblem(await h.http.get(`/api/agents/${a.agent.id}`).set(auth(A.token)), 404, 'IDENTITY_AGENT_NOT_FOUND');
      expect(await auditRows(h, { action: 'agent.deleted', resourceId: a.agent.id })).toHaveLength(1);
      await writesNothing(h, async () => {
        expectProblem(await h.http.delete(`/api/agents/${a.agent.id}`).set(auth(A.token)), 404, 'IDENTITY_AGENT_NOT_FOUND');
      });
      expectProblem(await agentLogin(a.agent.agentId, a.credential!), 401, 'IDENTITY_CREDENTIALS_INVALID');
    });
  });

  describe('role and tenancy rules on the agent routes', () => {
    it('members and viewers get 403 IDENTITY_ORG_ROLE_REQUIRED (requiredRole admin); another org\'s admin 404; nothing written', async () => {
      const a = await s.agent(A.token, A.orgId);
      const calls = (headers: Record<string, string>) => [
        h.http.patch(`/api/agents/${a.agent.id}`).set(headers).send({ name: 'Hijack' }),
        h.http.post(`/api/agents/${a.agent.id}/credential`).set(headers).send({}),
        h.http.delete(`/api/agents/${a.agent.id}`).set(headers),
      ];
      await writesNothing(h, async () => {
        for (const token of [memberA.token, viewerA.token]) {
          for (const call of calls(auth(token))) expectProblem(await call, 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
        }
        for (const call of calls(auth(B.token))) expectProblem(await call, 404, 'IDENTITY_AGENT_NOT_FOUND');
      });
      expect(await s.introspect(a.token)).toMatchObject({ active: true });
    });

    it('an agent cannot manage agents, itself included; never a 500', async () => {
      const a = await s.agent(A.token, A.orgId);
      const other = await s.agent(A.token, A.orgId);
      await writesNothing(h, async () => {
        for (const id of [a.agent.id, other.agent.id]) {
          for (const res of [
            await h.http.patch(`/api/agents/${id}`).set(auth(a.token)).send({ capabilities: ['cap:catalog.admin'] }),
            await h.http.post(`/api/agents/${id}/credential`).set(auth(a.token)).send({}),
            await h.http.delete(`/api/agents/${id}`).set(auth(a.token)),
          ]) {
            expect([403, 404]).toContain(res.status);
            expect(res.body.code).toMatch(/^IDENTITY_(ORG_ROLE_REQUIRED|AGENT_NOT_FOUND)$/);
          }
        }
      });
    });
  });

  describe('service accounts (/api/admin/service-accounts)', () => {
    beforeAll(() => h.resetRateLimits('identity.admin'));

    it('GET lists the seeded accounts with {id,serviceId,scopes,createdAt,lastUsedAt} and no secret', async () => {
      const res = await h.http.get('/api/admin/service-accounts').set(auth(admin));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['serviceAccounts']);
      for (const a of res.body.serviceAccounts) expect(fields(a)).toEqual(['createdAt', 'id', 'lastUsedAt', 'scopes', 'serviceId']);
      const byId = Object.fromEntries(res.body.serviceAccounts.map((a: { serviceId: string; scopes: string[] }) => [a.serviceId, a.scopes]));
      expect(byId.logging).toEqual(['identity:introspect', 'logging:ingest', 'network:events.write', 'integrations:execute']);
      expect(byId.integrations).toEqual(['identity:introspect', 'logging:ingest', 'network:events.write', 'identity:credentials.read']);
      expect(byId.network).toEqual(['identity:introspect', 'logging:ingest', 'network:events.write']);
      expect(JSON.stringify(res.body)).not.toContain('svc_');
    });

    it('POST creates an account with a one-time secret (svc_ + 64 hex); 409 on a duplicate; the secret exchanges for a token', async () => {
      const serviceId = `billing-${s.unique().slice(0, 8)}`;
      const res = await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId });
      expect(res.status).toBe(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(fields(res.body)).toEqual(['createdAt', 'id', 'lastUsedAt', 'scopes', 'secret', 'serviceId']);
      expect(res.body.secret).toMatch(SERVICE_SECRET);
      expect(res.body).toMatchObject({ serviceId, scopes: ['identity:introspect', 'logging:ingest', 'network:events.write'], lastUsedAt: null });
      expect(JSON.stringify(await h.deps.database.exportDatabase())).not.toContain(res.body.secret.slice(4));
      expect(h.logText()).not.toContain(res.body.secret.slice(4));
      const rows = await auditRows(h, { action: 'service_account.created', resourceId: res.body.id });
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows)).not.toContain(res.body.secret.slice(4));
      const listed = await h.http.get('/api/admin/service-accounts').set(auth(admin));
      expect(listed.body.serviceAccounts.find((a: { id: string }) => a.id === res.body.id)).toEqual({ ...res.body, secret: undefined, lastUsedAt: null });
      const token = await serviceLogin(serviceId, res.body.secret);
      expect(token.status).toBe(200);
      expect(await s.introspect(token.body.token)).toMatchObject({ active: true, type: 'service', serviceId, scopes: res.body.scopes });
      // A platform id gets its §2.2 defaults; explicit scopes are kept.
      const runtime = await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId: 'runtime' });
      expect(runtime.body.scopes).toEqual(['identity:introspect', 'logging:ingest', 'network:events.write', 'catalog:read']);
      const custom = await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId: `custom-${s.unique().slice(0, 8)}`, scopes: ['catalog:*'] });
      expect(custom.body.scopes).toEqual(['catalog:*']);
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId }), 409, 'IDENTITY_SERVICE_ACCOUNT_EXISTS');
        expectProblem(await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId: 'logging' }), 409, 'IDENTITY_SERVICE_ACCOUNT_EXISTS');
        for (const body of [{ serviceId: 'A-upper' }, { serviceId: 'x' }, { serviceId: '1digit' }, { serviceId: `a${'b'.repeat(32)}` }, { serviceId: 'ok-id', scopes: ['bad scope'] }, { serviceId: 'ok-id', secret: 'svc_x' }, {}]) {
          expectProblem(await h.http.post('/api/admin/service-accounts').set(auth(admin)).send(body), 400, 'VALIDATION_FAILED');
        }
      });
      await h.resetRateLimits('identity.admin');
    });

    it('PATCH replaces the scopes (live for existing tokens); rotate answers a new secret and revokes old tokens; DELETE 204', async () => {
      const serviceId = `ops-${s.unique().slice(0, 8)}`;
      const created = (await h.http.post('/api/admin/service-accounts').set(auth(admin)).send({ serviceId })).body;
      const token = (await serviceLogin(serviceId, created.secret)).body.token as string;
      const patched = await h.http.patch(`/api/admin/service-accounts/${created.id}`).set(auth(admin)).send({ scopes: ['identity:introspect', 'catalog:read'] });
      expect(patched.status).toBe(200);
      expect(fields(patched.body)).toEqual(['createdAt', 'id', 'lastUsedAt', 'scopes', 'serviceId']);
      expect(patched.body.scopes).toEqual(['identity:introspect', 'catalog:read']);
      expect(await s.introspect(token)).toMatchObject({ active: true, scopes: ['identity:introspect', 'catalog:read'] });
      expect(await auditRows(h, { action: 'service_account.updated', resourceId: created.id })).toHaveLength(1);

      const rotated = await h.http.post(`/api/admin/service-accounts/${created.id}/rotate`).set(auth(admin));
      expect(rotated.status).toBe(200);
      expect(rotated.headers['cache-control']).toBe('no-store');
      expect(fields(rotated.body)).toEqual(['secret']);
      expect(rotated.body.secret).toMatch(SERVICE_SECRET);
      expect(rotated.body.secret).not.toBe(created.secret);
      expect(await s.introspect(token)).toEqual({ active: false });
      expectProblem(await serviceLogin(serviceId, created.secret), 401, 'IDENTITY_CREDENTIALS_INVALID');
      const fresh = await serviceLogin(serviceId, rotated.body.secret);
      expect(fresh.status).toBe(200);
      expect((await s.introspect(fresh.body.token)).active).toBe(true);
      expect(await auditRows(h, { action: 'service_account.rotated', resourceId: created.id })).toHaveLength(1);

      const del = await h.http.delete(`/api/admin/service-accounts/${created.id}`).set(auth(admin));
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect(await s.introspect(fresh.body.token)).toEqual({ active: false });
      expect(await auditRows(h, { action: 'service_account.deleted', resourceId: created.id })).toHaveLength(1);
      await writesNothing(h, async () => {
        const missing = created.id;
        expectProblem(await h.http.patch(`/api/admin/service-accounts/${missing}`).set(auth(admin)).send({ scopes: [] }), 404, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND');
        expectProblem(await h.http.post(`/api/admin/service-accounts/${missing}/rotate`).set(auth(admin)), 404, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND');
        expectProblem(await h.http.delete(`/api/admin/service-accounts/${missing}`).set(auth(admin)), 404, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/admin/service-accounts/${randomUUID()}`).set(auth(admin)).send({ scopes: ['catalog:read'] }), 404, 'IDENTITY_SERVICE_ACCOUNT_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/admin/service-accounts/${randomUUID()}`).set(auth(admin)).send({ scopes: ['NOPE'] }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.patch(`/api/admin/service-accounts/${randomUUID()}`).set(auth(admin)).send({}), 400, 'VALIDATION_FAILED');
      });
      await h.resetRateLimits('identity.admin');
    });

    it('non super admins get 403 IDENTITY_SUPERADMIN_REQUIRED: users, API keys (a super admin\'s too), agents, services', async () => {
      const saKey = await s.key(admin);
      const a = await s.agent(A.token, A.orgId);
      const svc = await s.serviceToken('logging');
      const seeded = (await h.http.get('/api/admin/service-accounts').set(auth(admin))).body.serviceAccounts[0].id as string;
      await writesNothing(h, async () => {
        for (const headers of [auth(A.token), apiKeyHeader(saKey.key), auth(a.token), auth(svc)]) {
          expectProblem(await h.http.get('/api/admin/service-accounts').set(headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
          expectProblem(await h.http.post('/api/admin/service-accounts').set(headers).send({ serviceId: 'sneaky' }), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
          expectProblem(await h.http.patch(`/api/admin/service-accounts/${seeded}`).set(headers).send({ scopes: ['*'] }), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
          expectProblem(await h.http.post(`/api/admin/service-accounts/${seeded}/rotate`).set(headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
          expectProblem(await h.http.delete(`/api/admin/service-accounts/${seeded}`).set(headers), 403, 'IDENTITY_SUPERADMIN_REQUIRED');
        }
        expectProblem(await h.http.get('/api/admin/service-accounts'), 401, 'AUTH_REQUIRED');
      });
    });
  });
});
