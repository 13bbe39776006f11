import { describeEachEngine } from '@symbia/db/testing';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, auth, expectProblem, fields, scenario, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type Org = { token: string; orgId: string; user: { id: string } };

/** Outline §2.9: the credentials vault and its integrations-only plaintext fetch. */
describeEachEngine('identity credentials vault (§2.9)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let A: Org;
  let B: Org;
  let member: { token: string; user: { id: string } };
  let member2: { token: string; user: { id: string } };
  let integrations: string;
  let logging: string;
  /** Every non-internal response body, to prove no plaintext ever left through them. */
  const seen: string[] = [];
  const secrets = {
    personal: 'sk-personal-0123456789abcdefXYZ',
    orgWide: 'sk-orgwide-9876543210fedcbaQRS',
    admin: 'sk-adminown-1111222233334444LMN',
  };

  const record = (res: Response) => {
    seen.push(res.text);
    return res;
  };
  const create = async (token: string, body: object, headers: Record<string, string> = {}) =>
    record(await h.http.post('/api/credentials').set(auth(token)).set(headers).send({ provider: 'openai', name: 'Key', apiKey: 'sk-test-000000000000', ...body }));
  const list = async (token: string, headers: Record<string, string> = {}) => record(await h.http.get('/api/credentials').set(auth(token)).set(headers));
  const internal = (token: string, path: string, headers: Record<string, string>) => h.http.get(`/api/internal/credentials/${path}`).set(auth(token)).set(headers);

  let personalId: string;
  let orgWideId: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    member = await s.addMember(A.token, A.orgId, 'member');
    member2 = await s.addMember(A.token, A.orgId, 'viewer');
    integrations = await s.serviceToken('integrations');
    logging = await s.serviceToken('logging');
    const personal = await create(member.token, { name: 'Mine', apiKey: secrets.personal, metadata: { baseUrl: 'https://api.example.com' } });
    expect(personal.status).toBe(201);
    personalId = personal.body.id;
    const orgWide = await create(A.token, { name: 'Shared', apiKey: secrets.orgWide, isOrgWide: true });
    expect(orgWide.status).toBe(201);
    orgWideId = orgWide.body.id;
  });
  afterAll(() => h.close());

  describe('user routes', () => {
    it('stores a credential and answers metadata only, in the outline shape', async () => {
      const res = await create(A.token, { provider: 'anthropic', name: 'Admin key', apiKey: secrets.admin }, { 'x-org-id': A.orgId });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['createdAt', 'credentialPrefix', 'id', 'isOrgWide', 'lastUsedAt', 'metadata', 'name', 'orgId', 'ownerId', 'provider']);
      expect(res.body).toMatchObject({ provider: 'anthropic', credentialPrefix: secrets.admin.slice(0, 8), isOrgWide: false, orgId: A.orgId, ownerId: A.user.id, lastUsedAt: null, metadata: {} });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(await auditRows(h, { action: 'credential.created', resourceId: res.body.id })).toHaveLength(1);
    });

    it('needs org:admin for org-wide credentials, a user JWT, and an org the caller belongs to', async () => {
      const key = await s.key(A.token);
      const twoOrgs = await s.addMember(B.token, B.orgId, 'member');
      await h.http.post(`/api/orgs/${A.orgId}/members/invite`).set(auth(A.token)).send({ email: twoOrgs.email, role: 'member' });
      await writesNothing(h, async () => {
        expectProblem(await create(member.token, { isOrgWide: true }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
        expectProblem(await create(member.token, {}, { 'x-org-id': B.orgId }), 403, 'TENANT_ORG_FORBIDDEN');
        expectProblem(await create(member.token, {}, { 'x-org-id': '00000000-0000-4000-8000-000000000000' }), 403, 'TENANT_ORG_FORBIDDEN');
        expectProblem(await create(twoOrgs.token, {}), 400, 'TENANT_ORG_REQUIRED');
        expectProblem(record(await h.http.post('/api/credentials').set('x-api-key', key.key).send({ provider: 'openai', name: 'k', apiKey: 'sk-12345678' })), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        expectProblem(record(await h.http.post('/api/credentials').set(auth(integrations)).send({ provider: 'openai', name: 'k', apiKey: 'sk-12345678' })), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        for (const body of [{ provider: 'O' }, { provider: 'a' }, { apiKey: 'short' }, { apiKey: 'x'.repeat(4097) }, { name: '' }, { metadata: { blob: 'x'.repeat(4100) } }, { extra: true }]) {
          expectProblem(await create(A.token, body), 400, 'VALIDATION_FAILED');
        }
      });
      expect((await create(twoOrgs.token, {}, { 'x-org-id': B.orgId })).status).toBe(201);
    });

    it("lists the caller's own credentials in the selected org plus the org-wide ones", async () => {
      const mine = await list(member.token);
      expect(mine.status).toBe(200);
      expect(mine.headers['cache-control']).toBe('no-store');
      const ids = mine.body.credentials.map((c: { id: string }) => c.id);
      expect(ids).toContain(personalId);
      expect(ids).toContain(orgWideId);
      expect(mine.body.credentials.every((c: { ownerId: string; isOrgWide: boolean }) => c.ownerId === member.user.id || c.isOrgWide)).toBe(true);
      const other = (await list(member2.token)).body.credentials.map((c: { id: string }) => c.id);
      expect(other).toEqual([orgWideId]);
      const key = await s.key(member.token);
      const viaKey = record(await h.http.get('/api/credentials').set('x-api-key', key.key));
      expect(viaKey.status).toBe(200);
      expect((await list(B.token)).body.credentials.map((c: { id: string }) => c.id)).not.toContain(orgWideId);
      expectProblem(await list(member.token, { 'x-org-id': B.orgId }), 403, 'TENANT_ORG_FORBIDDEN');
      expectProblem(record(await h.http.get('/api/credentials')), 401, 'AUTH_REQUIRED');
    });

    it('deletes: owners their own, admins org-wide ones; others get 404 or 403 and nothing changes', async () => {
      const mine = await create(member.token, { name: 'Temp' });
      await writesNothing(h, async () => {
        expectProblem(record(await h.http.delete(`/api/credentials/${mine.body.id}`).set(auth(member2.token))), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(record(await h.http.delete(`/api/credentials/${mine.body.id}`).set(auth(B.token))), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(record(await h.http.delete(`/api/credentials/${mine.body.id}`).set(auth(A.token))), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(record(await h.http.delete(`/api/credentials/${orgWideId}`).set(auth(member.token))), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        expectProblem(record(await h.http.delete(`/api/credentials/${orgWideId}`).set(auth(B.token))), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
      });
      expect((await h.http.delete(`/api/credentials/${mine.body.id}`).set(auth(member.token))).status).toBe(204);
      const shared = await create(A.token, { name: 'Temp shared', isOrgWide: true, provider: 'cohere' });
      expect((await h.http.delete(`/api/credentials/${shared.body.id}`).set(auth(A.token))).status).toBe(204);
      expect(await auditRows(h, { action: 'credential.deleted', resourceId: shared.body.id })).toHaveLength(1);
    });
  });

  describe('internal plaintext fetch', () => {
    const org = () => ({ 'x-org-id': A.orgId });

    it("resolves the user's own credential, else the org-wide one (isProxy), with no-store and an audit entry", async () => {
      const own = await internal(integrations, `${member.user.id}/openai`, org());
      expect(own.status).toBe(200);
      expect(fields(own.body)).toEqual(['apiKey', 'credentialId', 'isOrgWide', 'isProxy', 'metadata', 'orgId', 'ownerId', 'provider']);
      expect(own.body).toMatchObject({ apiKey: secrets.personal, credentialId: personalId, provider: 'openai', ownerId: member.user.id, orgId: A.orgId, isOrgWide: false, isProxy: false, metadata: { baseUrl: 'https://api.example.com' } });
      expect(own.headers['cache-control']).toBe('no-store');
      const proxied = await internal(integrations, `${member2.user.id}/openai`, org());
      expect(proxied.body).toMatchObject({ apiKey: secrets.orgWide, credentialId: orgWideId, isOrgWide: true, isProxy: true });
      const owner = await internal(integrations, `${A.user.id}/openai`, org());
      expect(owner.body).toMatchObject({ credentialId: orgWideId, isProxy: false });

      const entries = await auditRows(h, { action: 'credential.accessed', resourceId: personalId });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor_type: 'service', actor_id: 'svc:integrations', org_id: A.orgId });
      expect(entries[0]!.metadata).toMatchObject({ credentialId: personalId, provider: 'openai' });
      const used = (await list(member.token)).body.credentials.find((c: { id: string }) => c.id === personalId);
      expect(used.lastUsedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('fetches by id for the user named by X-On-Behalf-Of: theirs or org-wide only', async () => {
      const mine = await internal(integrations, `by-id/${personalId}`, { ...org(), 'x-on-behalf-of': member.user.id });
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ apiKey: secrets.personal, isProxy: false });
      expect(mine.headers['cache-control']).toBe('no-store');
      const shared = await internal(integrations, `by-id/${orgWideId}`, { ...org(), 'x-on-behalf-of': member2.user.id });
      expect(shared.body).toMatchObject({ credentialId: orgWideId, isProxy: true });
      await writesNothing(h, async () => {
        expectProblem(await internal(integrations, `by-id/${personalId}`, { ...org(), 'x-on-behalf-of': member2.user.id }), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(await internal(integrations, `by-id/${personalId}`, { 'x-org-id': B.orgId, 'x-on-behalf-of': member.user.id }), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(await internal(integrations, `by-id/${orgWideId}`, { ...org(), 'x-on-behalf-of': B.user.id }), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(await internal(integrations, `by-id/${personalId}`, org()), 400, 'VALIDATION_FAILED');
        expectProblem(await internal(integrations, `by-id/${personalId}`, { 'x-on-behalf-of': member.user.id }), 400, 'TENANT_ORG_REQUIRED');
      });
    });

    it('answers 400 without X-Org-Id and 404 for non-members, unknown providers and other orgs', async () => {
      await writesNothing(h, async () => {
        expectProblem(await internal(integrations, `${member.user.id}/openai`, {}), 400, 'TENANT_ORG_REQUIRED');
        expectProblem(await internal(integrations, `${B.user.id}/openai`, org()), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(await internal(integrations, `${member.user.id}/mistral`, org()), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
        expectProblem(await internal(integrations, `${member.user.id}/openai`, { 'x-org-id': B.orgId }), 404, 'IDENTITY_CREDENTIAL_NOT_FOUND');
      });
    });

    it('refuses everyone but the integrations service identity, whatever headers they send', async () => {
      const sa = await s.admin();
      const key = await s.key(A.token, { scopes: ['*'] });
      const path = `${member.user.id}/openai`;
      await writesNothing(h, async () => {
        for (const token of [logging, A.token, member.token, sa]) {
          expectProblem(await internal(token, path, { ...org(), 'x-service-id': 'integrations' }), 403, 'IDENTITY_SERVICE_ONLY');
          expectProblem(await internal(token, `by-id/${personalId}`, org()), 403, 'IDENTITY_SERVICE_ONLY');
        }
        expectProblem(await h.http.get(`/api/internal/credentials/${path}`).set('x-api-key', key.key).set(org()), 403, 'IDENTITY_SERVICE_ONLY');
        expectProblem(await h.http.get(`/api/internal/credentials/${path}`).set(org()).set('x-service-id', 'integrations'), 401, 'AUTH_REQUIRED');
      });
      // Without the scope, even integrations' own identity is refused.
      const sa2 = await s.admin();
      const accounts = await h.http.get('/api/admin/service-accounts').set(auth(sa2));
      const account = accounts.body.serviceAccounts.find((a: { serviceId: string }) => a.serviceId === 'integrations');
      const scopes = account.scopes as string[];
      expect((await h.http.patch(`/api/admin/service-accounts/${account.id}`).set(auth(sa2)).send({ scopes: scopes.filter((x) => x !== 'identity:credentials.read') })).status).toBe(200);
      try {
        const unscoped = await s.serviceToken('integrations');
        expectProblem(await internal(unscoped, path, org()), 403, 'IDENTITY_SERVICE_ONLY');
      } finally {
        await h.http.patch(`/api/admin/service-accounts/${account.id}`).set(auth(sa2)).send({ scopes });
      }
    });
  });

  describe('secrecy', () => {
    it('never shows plaintext outside the internal route: responses, logs, audit and the database export', async () => {
      const all = Object.values(secrets);
      for (const text of seen) for (const secret of all) expect(text).not.toContain(secret);
      const logs = h.logText();
      for (const secret of all) expect(logs).not.toContain(secret);
      const dump = await h.deps.database.exportDatabase();
      const rows = dump.credentials as Array<{ ciphertext: string }>;
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const row of rows) {
        for (const secret of all) {
          expect(row.ciphertext).not.toContain(secret);
          expect(Buffer.from(row.ciphertext, 'base64').toString('latin1')).not.toContain(secret);
        }
      }
      const exported = JSON.stringify(dump);
      for (const secret of all) expect(exported).not.toContain(secret);
    });
  });
  it('answered no request of this suite with a 5xx', () => {
    expect(h.logText()).not.toMatch(/"status":5\d\d/);
  });
});
