import { describeEachEngine } from '@symbia/db/testing';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, auth, expectProblem, fields, scenario, walkPages, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type Org = { token: string; orgId: string };

/** Outline §2.6: projects, applications, services and the links between them. */
describeEachEngine('identity projects (§2.6)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let A: Org;
  let B: Org;
  let memberA: string;
  let viewerA: string;

  const slug = () => `p-${s.unique()}`.toLowerCase();
  const as = (token: string) => ({
    get: (p: string) => h.http.get(p).set(auth(token)),
    post: (p: string, body: object = {}) => h.http.post(p).set(auth(token)).send(body),
    patch: (p: string, body: object) => h.http.patch(p).set(auth(token)).send(body),
    del: (p: string) => h.http.delete(p).set(auth(token)),
  });
  /** Create through the API and insist on 201: these are fixtures, not the assertions. */
  const created = async (req: PromiseLike<Response>) => {
    const res = await req;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; orgId: string; slug: string };
  };
  const project = (org: Org, body: object = {}) => created(as(org.token).post(`/api/orgs/${org.orgId}/projects`, { name: 'Proj', slug: slug(), ...body }));
  const app = (token: string, projectId: string, body: object = {}) =>
    created(as(token).post(`/api/projects/${projectId}/applications`, { name: 'App', slug: slug(), environment: 'dev', appType: 'web', ...body }));
  const service = (token: string, projectId: string, body: object = {}) =>
    created(as(token).post(`/api/projects/${projectId}/services`, { name: 'Db', slug: slug(), serviceType: 'database', ...body }));
  const entitlement = (token: string, body: object) => created(as(token).post('/api/scoped-entitlements', { featureKey: 'api.calls', ...body }));

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    memberA = (await s.addMember(A.token, A.orgId, 'member')).token;
    viewerA = (await s.addMember(A.token, A.orgId, 'viewer')).token;
  });
  afterAll(() => h.close());

  describe('projects', () => {
    it('creates (member), reads (viewer), lists newest first with cursors, updates and deletes (admin), auditing each write', async () => {
      const res = await as(memberA).post(`/api/orgs/${A.orgId}/projects`, { name: '  Apollo ', slug: 'apollo', description: 'moon' });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['createdAt', 'description', 'id', 'name', 'orgId', 'slug', 'status', 'updatedAt']);
      expect(res.body).toMatchObject({ orgId: A.orgId, name: 'Apollo', slug: 'apollo', description: 'moon', status: 'active' });
      const id = res.body.id as string;

      const got = await as(viewerA).get(`/api/projects/${id}`);
      expect(got.status).toBe(200);
      expect(fields(got.body)).toEqual(['applications', 'entitlements', 'project', 'services']);
      expect(got.body.project.id).toBe(id);

      await project(A);
      await project(A);
      const ids = await walkPages(h, `/api/orgs/${A.orgId}/projects`, 'projects', auth(viewerA), 2);
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect(ids[ids.length - 1]).toBe(id);

      const patched = await as(memberA).patch(`/api/projects/${id}`, { status: 'archived', description: null });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ status: 'archived', description: null });

      await writesNothing(h, async () => expectProblem(await as(memberA).del(`/api/projects/${id}`), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' }));
      expect((await as(A.token).del(`/api/projects/${id}`)).status).toBe(204);
      expectProblem(await as(A.token).get(`/api/projects/${id}`), 404, 'IDENTITY_PROJECT_NOT_FOUND');
      for (const action of ['project.created', 'project.updated', 'project.deleted']) {
        expect(await auditRows(h, { action, resourceId: id })).toHaveLength(1);
      }
    });

    it('lets a viewer read but not write, and writes nothing on refusal', async () => {
      const p = await project(A);
      await writesNothing(h, async () => {
        expectProblem(await as(viewerA).post(`/api/orgs/${A.orgId}/projects`, { name: 'X', slug: slug() }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'member' });
        expectProblem(await as(viewerA).patch(`/api/projects/${p.id}`, { name: 'Y' }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'member' });
        expectProblem(await as(viewerA).del(`/api/projects/${p.id}`), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
      });
      expect((await as(viewerA).get(`/api/orgs/${A.orgId}/projects`)).status).toBe(200);
    });

    it('validates bodies and answers a taken slug with 409, writing nothing', async () => {
      const p = await project(A, { slug: 'taken-one' });
      const other = await project(A);
      await writesNothing(h, async () => {
        for (const body of [{ name: 'X', slug: 'Bad_Slug' }, { name: 'X', slug: 'a'.repeat(49) }, { name: '', slug: 'ok' }, { name: 'X', slug: 'ok', extra: 1 }, { name: 'X', slug: 'ok', description: 'd'.repeat(1001) }]) {
          expectProblem(await as(A.token).post(`/api/orgs/${A.orgId}/projects`, body), 400, 'VALIDATION_FAILED');
        }
        expectProblem(await as(A.token).patch(`/api/projects/${p.id}`, { status: 'deleted' }), 400, 'VALIDATION_FAILED');
        expectProblem(await as(A.token).post(`/api/orgs/${A.orgId}/projects`, { name: 'X', slug: 'taken-one' }), 409, 'IDENTITY_SLUG_TAKEN');
        expectProblem(await as(A.token).patch(`/api/projects/${other.id}`, { slug: 'taken-one' }), 409, 'IDENTITY_SLUG_TAKEN');
      });
      // Unique per parent: another org may use the same slug.
      await project(B, { slug: 'taken-one' });
      expect((await as(A.token).post(`/api/orgs/${A.orgId}/projects`, { name: 'One letter', slug: 'x' })).status).toBe(201);
    });

    it('hides every object of one org from the other (404 with the object code)', async () => {
      const pa = await project(A);
      const pb = await project(B);
      const appA = await app(A.token, pa.id);
      const svcA = await service(A.token, pa.id);
      const appB = await app(B.token, pb.id);
      await writesNothing(h, async () => {
        for (const [token, own, theirs] of [[B.token, pb, pa], [A.token, pa, pb]] as const) {
          expect((await as(token).get(`/api/projects/${own.id}`)).status).toBe(200);
          expectProblem(await as(token).get(`/api/projects/${theirs.id}`), 404, 'IDENTITY_PROJECT_NOT_FOUND');
          expectProblem(await as(token).patch(`/api/projects/${theirs.id}`, { name: 'x' }), 404, 'IDENTITY_PROJECT_NOT_FOUND');
          expectProblem(await as(token).del(`/api/projects/${theirs.id}`), 404, 'IDENTITY_PROJECT_NOT_FOUND');
          expectProblem(await as(token).get(`/api/projects/${theirs.id}/applications`), 404, 'IDENTITY_PROJECT_NOT_FOUND');
          expectProblem(await as(token).post(`/api/projects/${theirs.id}/services`, { name: 'S', slug: 's', serviceType: 'api' }), 404, 'IDENTITY_PROJECT_NOT_FOUND');
          expectProblem(await as(token).get(`/api/orgs/${theirs.orgId}/projects`), 404, 'IDENTITY_ORG_NOT_FOUND');
          expectProblem(await as(token).post(`/api/orgs/${theirs.orgId}/projects`, { name: 'x', slug: 'x' }), 404, 'IDENTITY_ORG_NOT_FOUND');
        }
        expectProblem(await as(B.token).get(`/api/applications/${appA.id}`), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
        expectProblem(await as(B.token).patch(`/api/applications/${appA.id}`, { name: 'x' }), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
        expectProblem(await as(B.token).del(`/api/applications/${appA.id}`), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
        expectProblem(await as(A.token).get(`/api/applications/${appB.id}`), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
        expectProblem(await as(B.token).get(`/api/services/${svcA.id}`), 404, 'IDENTITY_SERVICE_NOT_FOUND');
        expectProblem(await as(B.token).patch(`/api/services/${svcA.id}`, { name: 'x' }), 404, 'IDENTITY_SERVICE_NOT_FOUND');
        expectProblem(await as(B.token).del(`/api/services/${svcA.id}`), 404, 'IDENTITY_SERVICE_NOT_FOUND');
        expectProblem(await as(B.token).post(`/api/applications/${appB.id}/services/${svcA.id}`), 404, 'IDENTITY_SERVICE_NOT_FOUND');
        expectProblem(await as(B.token).post(`/api/applications/${appA.id}/services/${svcA.id}`), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
        expectProblem(await as(B.token).get(`/api/scoped-entitlements/project/${pa.id}`), 404, 'IDENTITY_PROJECT_NOT_FOUND');
        expectProblem(await as(B.token).get(`/api/scoped-entitlements/org/${A.orgId}`), 404, 'IDENTITY_ORG_NOT_FOUND');
      });
    });
  });

  describe('applications and services', () => {
    it('creates, reads, lists, updates and deletes applications with the outline shapes', async () => {
      const p = await project(A);
      const res = await as(memberA).post(`/api/projects/${p.id}/applications`, {
        name: 'Web', slug: 'web', environment: 'prod', appType: 'web', repoUrl: 'https://git.example.com/web', metadata: { team: 'core' },
      });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['appType', 'createdAt', 'environment', 'id', 'metadata', 'name', 'orgId', 'projectId', 'repoUrl', 'slug', 'updatedAt']);
      expect(res.body).toMatchObject({ orgId: A.orgId, projectId: p.id, environment: 'prod', appType: 'web', metadata: { team: 'core' } });
      const id = res.body.id as string;
      await app(memberA, p.id);
      expect(await walkPages(h, `/api/projects/${p.id}/applications`, 'applications', auth(viewerA), 1)).toHaveLength(2);
      const got = await as(viewerA).get(`/api/applications/${id}`);
      expect(got.status).toBe(200);
      expect(fields(got.body)).toEqual(['application', 'entitlements', 'services']);
      expect((await as(memberA).patch(`/api/applications/${id}`, { environment: 'staging', repoUrl: null })).body).toMatchObject({ environment: 'staging', repoUrl: null });
      expect((await as(viewerA).get(`/api/projects/${p.id}`)).body.applications).toHaveLength(2);

      await writesNothing(h, async () => {
        for (const body of [
          { name: 'A', slug: 'a', environment: 'test', appType: 'web' },
          { name: 'A', slug: 'a', environment: 'dev', appType: 'desktop' },
          { name: 'A', slug: 'a', environment: 'dev', appType: 'web', repoUrl: 'http://plain.example.com' },
          { name: 'A', slug: 'a', environment: 'dev', appType: 'web', metadata: { big: 'x'.repeat(9000) } },
        ]) {
          expectProblem(await as(memberA).post(`/api/projects/${p.id}/applications`, body), 400, 'VALIDATION_FAILED');
        }
        expectProblem(await as(memberA).post(`/api/projects/${p.id}/applications`, { name: 'W', slug: 'web', environment: 'dev', appType: 'api' }), 409, 'IDENTITY_SLUG_TAKEN');
        expectProblem(await as(viewerA).post(`/api/projects/${p.id}/applications`, { name: 'W', slug: 'w2', environment: 'dev', appType: 'api' }), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        expectProblem(await as(memberA).del(`/api/applications/${id}`), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
      });
      expect((await as(A.token).del(`/api/applications/${id}`)).status).toBe(204);
      expectProblem(await as(A.token).get(`/api/applications/${id}`), 404, 'IDENTITY_APPLICATION_NOT_FOUND');
      expect(await auditRows(h, { action: 'application.deleted', resourceId: id })).toHaveLength(1);
    });

    it('creates, reads, updates and deletes services', async () => {
      const p = await project(A);
      const res = await as(memberA).post(`/api/projects/${p.id}/services`, {
        name: 'Main DB', slug: 'main-db', serviceType: 'database', provider: 'postgres', endpointUrl: 'http://db.internal:5432', externalId: 'ext-1',
      });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['createdAt', 'endpointUrl', 'externalId', 'id', 'name', 'orgId', 'projectId', 'provider', 'serviceType', 'slug', 'status', 'updatedAt']);
      expect(res.body).toMatchObject({ status: 'active', serviceType: 'database', provider: 'postgres' });
      const id = res.body.id as string;
      const got = await as(viewerA).get(`/api/services/${id}`);
      expect(fields(got.body)).toEqual(['entitlements', 'service']);
      expect((await as(memberA).patch(`/api/services/${id}`, { status: 'inactive', provider: null })).body).toMatchObject({ status: 'inactive', provider: null });
      const list = await as(viewerA).get(`/api/projects/${p.id}/services`);
      expect(list.body).toMatchObject({ services: [{ id }], nextCursor: null });
      await writesNothing(h, async () => {
        expectProblem(await as(memberA).post(`/api/projects/${p.id}/services`, { name: 'Q', slug: 'q', serviceType: 'queue' }), 400, 'VALIDATION_FAILED');
        expectProblem(await as(memberA).post(`/api/projects/${p.id}/services`, { name: 'Q', slug: 'q', serviceType: 'api', endpointUrl: 'javascript:alert(1)' }), 400, 'VALIDATION_FAILED');
        expectProblem(await as(memberA).post(`/api/projects/${p.id}/services`, { name: 'Q', slug: 'main-db', serviceType: 'api' }), 409, 'IDENTITY_SLUG_TAKEN');
        expectProblem(await as(memberA).del(`/api/services/${id}`), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
      });
      expect((await as(A.token).del(`/api/services/${id}`)).status).toBe(204);
      expectProblem(await as(viewerA).get(`/api/services/${id}`), 404, 'IDENTITY_SERVICE_NOT_FOUND');
    });

    it('links an application to a service once, refuses links across orgs, and unlinks (admin)', async () => {
      const p = await project(A);
      const a1 = await app(memberA, p.id);
      const s1 = await service(memberA, p.id);
      const first = await as(memberA).post(`/api/applications/${a1.id}/services/${s1.id}`);
      expect(first.status).toBe(201);
      expect(first.body).toEqual({ applicationId: a1.id, serviceId: s1.id });
      await writesNothing(h, async () => {
        const again = await as(memberA).post(`/api/applications/${a1.id}/services/${s1.id}`);
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ applicationId: a1.id, serviceId: s1.id });
      });
      expect((await as(viewerA).get(`/api/applications/${a1.id}`)).body.services).toMatchObject([{ id: s1.id }]);

      // A caller who belongs to both orgs sees both objects: the refusal is the cross-org rule itself.
      const both = await s.addMember(B.token, B.orgId, 'admin');
      await h.http.post(`/api/orgs/${A.orgId}/members/invite`).set(auth(A.token)).send({ email: both.email, role: 'admin' });
      const sB = await service(B.token, (await project(B)).id);
      await writesNothing(h, async () => {
        expectProblem(await as(both.token).post(`/api/applications/${a1.id}/services/${sB.id}`), 400, 'IDENTITY_CROSS_ORG_LINK');
        expectProblem(await as(viewerA).post(`/api/applications/${a1.id}/services/${s1.id}`), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        expectProblem(await as(memberA).del(`/api/applications/${a1.id}/services/${s1.id}`), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
      });
      expect((await as(A.token).del(`/api/applications/${a1.id}/services/${s1.id}`)).status).toBe(204);
      expectProblem(await as(A.token).del(`/api/applications/${a1.id}/services/${s1.id}`), 404, 'NOT_FOUND');
      expect(await auditRows(h, { action: 'application.service_linked', resourceId: a1.id })).toHaveLength(1);
      expect(await auditRows(h, { action: 'application.service_unlinked', resourceId: a1.id })).toHaveLength(1);
    });

    it('deletes a project with its applications, services, links and scoped entitlements', async () => {
      const p = await project(A);
      const a1 = await app(A.token, p.id);
      const s1 = await service(A.token, p.id);
      await as(A.token).post(`/api/applications/${a1.id}/services/${s1.id}`);
      await entitlement(A.token, { scopeType: 'project', scopeId: p.id });
      await entitlement(A.token, { scopeType: 'application', scopeId: a1.id });
      await entitlement(A.token, { scopeType: 'service', scopeId: s1.id });
      const before = await h.deps.database.exportDatabase();
      expect((await as(A.token).del(`/api/projects/${p.id}`)).status).toBe(204);
      const after = await h.deps.database.exportDatabase();
      for (const [table, gone] of Object.entries({ scoped_entitlements: 3, applications: 1, org_services: 1, application_services: 1 })) {
        expect(after[table]!.length, table).toBe(before[table]!.length - gone);
      }
    });
  });

  it('answered no request of this suite with a 5xx', () => {
    expect(h.logText()).not.toMatch(/"status":5\d\d/);
  });
});
