import { describeEachEngine } from '@symbia/db/testing';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, auth, expectProblem, fields, scenario, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type Org = { token: string; orgId: string };

/** Outline §2.6: entitlements scoped to an org, project, application or service, and quota consumption. */
describeEachEngine('identity scoped entitlements (§2.6)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let A: Org;
  let B: Org;
  let memberA: string;
  let viewerA: string;
  let svcToken: string;

  const as = (token: string) => ({
    get: (p: string) => h.http.get(p).set(auth(token)),
    post: (p: string, body: object = {}) => h.http.post(p).set(auth(token)).send(body),
    patch: (p: string, body: object) => h.http.patch(p).set(auth(token)).send(body),
    del: (p: string) => h.http.delete(p).set(auth(token)),
  });
  const created = async (req: PromiseLike<Response>) => {
    const res = await req;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string };
  };
  const project = (org: Org) => created(as(org.token).post(`/api/orgs/${org.orgId}/projects`, { name: 'Proj', slug: `p-${s.unique()}`.toLowerCase() }));
  const entitlement = (token: string, body: object) => created(as(token).post('/api/scoped-entitlements', { featureKey: 'api.calls', ...body }));
  const consume = (id: string, amount: number, token = svcToken) => as(token).post(`/api/scoped-entitlements/${id}/consume`, { amount });

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    memberA = (await s.addMember(A.token, A.orgId, 'member')).token;
    viewerA = (await s.addMember(A.token, A.orgId, 'viewer')).token;
    svcToken = await s.serviceToken('logging');
  });
  afterAll(() => h.close());

  describe('scoped entitlements', () => {
    it('is created and managed by admins, read by viewers, with the outline shape', async () => {
      const p = await project(A);
      const res = await as(A.token).post('/api/scoped-entitlements', { scopeType: 'project', scopeId: p.id, featureKey: 'llm.tokens', quota: 100, expiresAt: '2999-01-01T00:00:00Z' });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['consumed', 'enabled', 'expiresAt', 'featureKey', 'id', 'orgId', 'quota', 'scopeId', 'scopeType']);
      expect(res.body).toMatchObject({ orgId: A.orgId, scopeType: 'project', scopeId: p.id, quota: 100, consumed: 0, enabled: true, expiresAt: '2999-01-01T00:00:00.000Z' });
      const id = res.body.id as string;
      const list = await as(viewerA).get(`/api/scoped-entitlements/project/${p.id}`);
      expect(list.status).toBe(200);
      expect(list.body.entitlements).toMatchObject([{ id }]);
      expect((await as(viewerA).get(`/api/projects/${p.id}`)).body.entitlements).toMatchObject([{ id }]);
      const orgWide = await entitlement(A.token, { scopeType: 'org', scopeId: A.orgId });
      expect((await as(viewerA).get(`/api/scoped-entitlements/org/${A.orgId}`)).body.entitlements).toMatchObject([{ id: orgWide.id }]);

      await writesNothing(h, async () => {
        expectProblem(await as(viewerA).get(`/api/scoped-entitlements/team/${p.id}`), 400, 'VALIDATION_FAILED');
        expectProblem(await as(A.token).post('/api/scoped-entitlements', { scopeType: 'team', scopeId: p.id, featureKey: 'x' }), 400, 'VALIDATION_FAILED');
        expectProblem(await as(A.token).post('/api/scoped-entitlements', { scopeType: 'project', scopeId: p.id, featureKey: 'Bad Key' }), 400, 'VALIDATION_FAILED');
        expectProblem(await as(A.token).post('/api/scoped-entitlements', { scopeType: 'project', scopeId: p.id, featureKey: 'x', quota: -1 }), 400, 'VALIDATION_FAILED');
        expectProblem(await as(memberA).post('/api/scoped-entitlements', { scopeType: 'project', scopeId: p.id, featureKey: 'x' }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
        expectProblem(await as(memberA).patch(`/api/scoped-entitlements/${id}`, { quota: 5 }), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        expectProblem(await as(B.token).patch(`/api/scoped-entitlements/${id}`, { quota: 5 }), 404, 'NOT_FOUND');
        expectProblem(await as(B.token).del(`/api/scoped-entitlements/${id}`), 404, 'NOT_FOUND');
        expectProblem(await as(B.token).post('/api/scoped-entitlements', { scopeType: 'project', scopeId: p.id, featureKey: 'x' }), 404, 'IDENTITY_PROJECT_NOT_FOUND');
      });
      const patched = await as(A.token).patch(`/api/scoped-entitlements/${id}`, { quota: null, enabled: false, expiresAt: null });
      expect(patched.body).toMatchObject({ quota: null, enabled: false, expiresAt: null });
      expect((await as(A.token).del(`/api/scoped-entitlements/${id}`)).status).toBe(204);
      expect(await auditRows(h, { resourceId: id })).toHaveLength(3);
    });

    it('scopes to applications and services, answering 404 with the scope code across orgs', async () => {
      const p = await project(A);
      const appId = (await created(as(memberA).post(`/api/projects/${p.id}/applications`, { name: 'A', slug: 'a', environment: 'dev', appType: 'api' }))).id;
      const svcId = (await created(as(memberA).post(`/api/projects/${p.id}/services`, { name: 'S', slug: 's', serviceType: 'api' }))).id;
      const onApp = await entitlement(A.token, { scopeType: 'application', scopeId: appId });
      const onSvc = await entitlement(A.token, { scopeType: 'service', scopeId: svcId });
      expect((await as(viewerA).get(`/api/scoped-entitlements/application/${appId}`)).body.entitlements).toMatchObject([{ id: onApp.id, scopeType: 'application' }]);
      expect((await as(viewerA).get(`/api/applications/${appId}`)).body.entitlements).toMatchObject([{ id: onApp.id }]);
      expect((await as(viewerA).get(`/api/services/${svcId}`)).body.entitlements).toMatchObject([{ id: onSvc.id }]);
      await writesNothing(h, async () => {
        expectProblem(await as(B.token).get(`/api/scoped-entitlements/application/${appId}`), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
        expectProblem(await as(B.token).get(`/api/scoped-entitlements/service/${svcId}`), 404, 'IDENTITY_SERVICE_NOT_FOUND');
        expectProblem(await as(B.token).post('/api/scoped-entitlements', { scopeType: 'service', scopeId: svcId, featureKey: 'x' }), 404, 'IDENTITY_SERVICE_NOT_FOUND');
        expectProblem(await as(B.token).post('/api/scoped-entitlements', { scopeType: 'org', scopeId: A.orgId, featureKey: 'x' }), 404, 'IDENTITY_ORG_NOT_FOUND');
        expectProblem(await as(A.token).get(`/api/scoped-entitlements/project/${appId}`), 404, 'IDENTITY_PROJECT_NOT_FOUND');
      });
    });

    it('consumes for services only, never past the quota, and refuses disabled or expired entitlements', async () => {
      const e = await entitlement(A.token, { scopeType: 'org', scopeId: A.orgId, quota: 10 });
      const ok = await consume(e.id, 4);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ consumed: 4, quota: 10, remaining: 6 });
      expect(await auditRows(h, { action: 'scoped_entitlement.consumed', resourceId: e.id })).toHaveLength(1);

      const key = await s.key(A.token);
      await writesNothing(h, async () => {
        expectProblem(await consume(e.id, 7), 409, 'IDENTITY_QUOTA_EXCEEDED');
        for (const token of [A.token, memberA]) expectProblem(await consume(e.id, 1, token), 403, 'IDENTITY_SERVICE_ONLY');
        expectProblem(await h.http.post(`/api/scoped-entitlements/${e.id}/consume`).set('x-api-key', key.key).send({ amount: 1 }), 403, 'IDENTITY_SERVICE_ONLY');
        expectProblem(await h.http.post(`/api/scoped-entitlements/${e.id}/consume`).send({ amount: 1 }), 401, 'AUTH_REQUIRED');
        expectProblem(await consume(e.id, 0), 400, 'VALIDATION_FAILED');
        expectProblem(await consume(e.id, 2 ** 40), 400, 'VALIDATION_FAILED');
      });
      expect((await as(viewerA).get(`/api/scoped-entitlements/org/${A.orgId}`)).body.entitlements.find((x: { id: string }) => x.id === e.id)).toMatchObject({ consumed: 4 });
      expect((await consume(e.id, 6)).body).toEqual({ consumed: 10, quota: 10, remaining: 0 });

      const unlimited = await entitlement(A.token, { scopeType: 'org', scopeId: A.orgId });
      expect((await consume(unlimited.id, 1000)).body).toEqual({ consumed: 1000, quota: null, remaining: null });
      const off = await entitlement(A.token, { scopeType: 'org', scopeId: A.orgId, enabled: false });
      const old = await entitlement(A.token, { scopeType: 'org', scopeId: A.orgId, expiresAt: '2001-01-01T00:00:00Z' });
      await writesNothing(h, async () => {
        const disabled = await consume(off.id, 1);
        expectProblem(disabled, 409, 'IDENTITY_QUOTA_EXCEEDED', { reason: 'disabled' });
        expect(disabled.body.detail).toMatch(/disabled/);
        const expired = await consume(old.id, 1);
        expectProblem(expired, 409, 'IDENTITY_QUOTA_EXCEEDED', { reason: 'expired' });
        expect(expired.body.detail).toMatch(/expired/);
        expectProblem(await consume('00000000-0000-4000-8000-000000000000', 1), 404, 'NOT_FOUND');
      });
    });

    it('never exceeds the quota under concurrent consumption', async () => {
      const e = await entitlement(A.token, { scopeType: 'org', scopeId: A.orgId, quota: 5 });
      const results = await Promise.all(Array.from({ length: 10 }, () => consume(e.id, 1)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses.filter((st) => st === 200)).toHaveLength(5);
      expect(statuses.filter((st) => st === 409)).toHaveLength(5);
      const list = await as(A.token).get(`/api/scoped-entitlements/org/${A.orgId}`);
      expect(list.body.entitlements.find((x: { id: string }) => x.id === e.id)).toMatchObject({ consumed: 5, quota: 5 });
      expect(await auditRows(h, { action: 'scoped_entitlement.consumed', resourceId: e.id })).toHaveLength(5);
    });
  });

  it('answered no request of this suite with a 5xx', () => {
    expect(h.logText()).not.toMatch(/"status":5\d\d/);
  });
});
