import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actions, createHarness, type Harness } from './harness.js';

async function crossings(h: Harness, orgId: string) {
  // The audit row is written when the response finishes; give the event loop a moment.
  await new Promise((r) => setTimeout(r, 50));
  const { rows } = await h.deps.database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM audit_logs WHERE action = 'admin.org_crossed' AND org_id = $1",
    [orgId],
  );
  return rows[0]!.n;
}

describeEachEngine('super-admin org crossing and API-key delegation', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(engine);
  });
  afterAll(() => h.close());

  it('audits a super admin acting in an org they do not belong to, once per request', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    const sa = await a.adminToken();
    expect(await crossings(h, owner.orgId)).toBe(0);
    const read = await h.http.get(`/api/orgs/${owner.orgId}`).set('authorization', `Bearer ${sa}`);
    expect(read.status).toBe(200);
    expect(await crossings(h, owner.orgId)).toBe(1);
    const viaHeader = await h.http.get('/api/credentials').set('authorization', `Bearer ${sa}`).set('x-org-id', owner.orgId);
    expect(viaHeader.status).toBe(200);
    expect(await crossings(h, owner.orgId)).toBe(2);
  });

  it('writes no crossing entry for a request that fails', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    const sa = await a.adminToken();
    const bad = await h.http.delete(`/api/orgs/${owner.orgId}`).set('authorization', `Bearer ${sa}`).send({ confirm: 'not-the-slug' });
    expect(bad.status).toBe(400);
    expect(await crossings(h, owner.orgId)).toBe(0);
  });

  it('does not audit members acting in their own org', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    expect((await h.http.get(`/api/orgs/${owner.orgId}`).set('authorization', `Bearer ${owner.token}`)).status).toBe(200);
    expect(await crossings(h, owner.orgId)).toBe(0);
  });

  it('lets a narrowly scoped key read its org but not change it', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    const narrow = await a.apiKey(owner.token, { scopes: ['logging:ingest'], orgId: owner.orgId });
    expect((await h.http.get(`/api/orgs/${owner.orgId}`).set('x-api-key', narrow.key)).status).toBe(200);
    const rename = await h.http.patch(`/api/orgs/${owner.orgId}`).set('x-api-key', narrow.key).send({ name: 'Renamed' });
    expect(rename.status).toBe(403);
    expect(rename.body).toMatchObject({ code: 'AUTH_SCOPE_INSUFFICIENT', requiredScope: '*' });
    const full = await a.apiKey(owner.token, { orgId: owner.orgId });
    expect((await h.http.patch(`/api/orgs/${owner.orgId}`).set('x-api-key', full.key).send({ name: 'Renamed' })).status).toBe(200);
  });
});
