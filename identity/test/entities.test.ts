import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, auth, expectProblem, fields, scenario, walkPages, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type Org = { token: string; orgId: string };

/** Outline §2.10, Entities: the addressable directory of an org. */
describeEachEngine('identity entities (§2.10)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  let A: Org;
  let B: Org;
  let memberA: string;
  let viewerA: string;
  let network: string;
  let logging: string;

  const create = (token: string, body: object, headers: Record<string, string> = {}) =>
    h.http.post('/api/entities').set(auth(token)).set(headers).send({ type: 'assistant', displayName: 'Bot', ...body });
  async function entity(token: string, body: object) {
    const res = await create(token, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { id: string; slug: string };
  }
  const resolve = (token: string, address: string) => h.http.post('/api/entities/resolve').set(auth(token)).send({ address });
  const bind = (token: string, id: string, nodeId: string) => h.http.post(`/api/entities/${id}/bind`).set(auth(token)).send({ nodeId });

  let weatherBot: { id: string };

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    memberA = (await s.addMember(A.token, A.orgId, 'member')).token;
    viewerA = (await s.addMember(A.token, A.orgId, 'viewer')).token;
    network = await s.serviceToken('network');
    logging = await s.serviceToken('logging');
    weatherBot = await entity(memberA, { slug: 'weather-bot', displayName: 'Weather Bot', tags: ['weather'] });
    await entity(memberA, { slug: 'weather-api', type: 'service', displayName: 'Weather API' });
    await entity(memberA, { slug: 'support', displayName: 'Support Desk' });
    await entity(B.token, { slug: 'weather-bee', displayName: 'Other org' });
  });
  afterAll(() => h.close());

  describe('create', () => {
    it('registers an entity in the selected org with the outline shape', async () => {
      const res = await create(memberA, { type: 'integration', slug: 'slack', displayName: 'Slack', instanceId: 'eu-1', capabilities: ['messages.send'], tags: ['chat'], metadata: { region: 'eu' } });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['boundNodeId', 'capabilities', 'createdAt', 'displayName', 'id', 'instanceId', 'metadata', 'orgId', 'slug', 'status', 'tags', 'type', 'updatedAt']);
      expect(res.body.id).toMatch(/^ent_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(res.body).toMatchObject({ orgId: A.orgId, type: 'integration', slug: 'slack', instanceId: 'eu-1', status: 'active', boundNodeId: null, capabilities: ['messages.send'], tags: ['chat'] });
      expect(await auditRows(h, { action: 'entity.created', resourceId: res.body.id })).toHaveLength(1);
    });

    it('refuses duplicates with existingId, and viewers, foreign orgs and bad bodies, writing nothing', async () => {
      await writesNothing(h, async () => {
        const dup = await create(memberA, { slug: 'weather-bot' });
        expectProblem(dup, 409, 'IDENTITY_ENTITY_EXISTS', { existingId: weatherBot.id });
        expectProblem(await create(viewerA, { slug: 'nope' }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'member' });
        expectProblem(await create(memberA, { slug: 'nope' }, { 'x-org-id': B.orgId }), 403, 'TENANT_ORG_FORBIDDEN');
        expectProblem(await create(network, { slug: 'nope' }, { 'x-org-id': A.orgId }), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        for (const body of [{ slug: 'x', type: 'robot' }, { slug: '-bad' }, { slug: 'UPPER' }, { slug: 'a'.repeat(64) }, { slug: 'ok', displayName: '' }, { slug: 'ok', instanceId: 'has#hash' }, { slug: 'ok', extra: 1 }]) {
          expectProblem(await create(memberA, body), 400, 'VALIDATION_FAILED');
        }
      });
      // Same slug, another instance or another type, is another entity.
      await entity(memberA, { slug: 'weather-bot', instanceId: 'replica-2' });
      await entity(memberA, { slug: 'weather-bot', type: 'sandbox' });
    });
  });

  describe('read and update', () => {
    it('lists by type and by slug or name prefix, paged, and never shows another org', async () => {
      const all = await walkPages(h, '/api/entities', 'entities', auth(viewerA), 2);
      expect(all).toContain(weatherBot.id);
      const bots = await h.http.get('/api/entities?type=service').set(auth(viewerA));
      expect(bots.body.entities.map((e: { slug: string }) => e.slug)).toEqual(['weather-api']);
      const byPrefix = await h.http.get('/api/entities?q=weather').set(auth(viewerA));
      expect(byPrefix.body.entities.every((e: { slug: string }) => e.slug.startsWith('weather'))).toBe(true);
      const byName = await h.http.get('/api/entities?q=support%20d').set(auth(viewerA));
      expect(byName.body.entities.map((e: { slug: string }) => e.slug)).toEqual(['support']);
      const wild = await h.http.get('/api/entities?q=%25').set(auth(viewerA));
      expect(wild.body.entities).toEqual([]);
      const other = await h.http.get('/api/entities').set(auth(B.token));
      expect(other.body.entities.map((e: { slug: string }) => e.slug)).toEqual(['weather-bee']);
      expectProblem(await h.http.get('/api/entities?type=robot').set(auth(viewerA)), 400, 'VALIDATION_FAILED');
      expectProblem(await h.http.get('/api/entities').set(auth(viewerA)).set('x-org-id', B.orgId), 403, 'TENANT_ORG_FORBIDDEN');
    });

    it('gets and patches by id within the org only', async () => {
      const got = await h.http.get(`/api/entities/${weatherBot.id}`).set(auth(viewerA));
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: weatherBot.id, slug: 'weather-bot', displayName: 'Weather Bot' });
      const patched = await h.http.patch(`/api/entities/${weatherBot.id}`).set(auth(memberA)).send({ displayName: 'Weather Bot 2', tags: ['weather', 'beta'] });
      expect(patched.body).toMatchObject({ displayName: 'Weather Bot 2', tags: ['weather', 'beta'] });
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch(`/api/entities/${weatherBot.id}`).set(auth(viewerA)).send({ displayName: 'x' }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'member' });
        expectProblem(await h.http.get(`/api/entities/${weatherBot.id}`).set(auth(B.token)), 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/entities/${weatherBot.id}`).set(auth(B.token)).send({ displayName: 'x' }), 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expectProblem(await h.http.get('/api/entities/ent_00000000-0000-4000-8000-000000000000').set(auth(viewerA)), 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expectProblem(await h.http.get('/api/entities/not-an-id').set(auth(viewerA)), 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/entities/${weatherBot.id}`).set(auth(memberA)).send({ slug: 'renamed' }), 400, 'VALIDATION_FAILED');
      });
      const bee = (await h.http.get('/api/entities').set(auth(B.token))).body.entities[0].id as string;
      expectProblem(await h.http.get(`/api/entities/${bee}`).set(auth(A.token)), 404, 'IDENTITY_ENTITY_NOT_FOUND');
    });
  });

  describe('resolve', () => {
    it('resolves @slug, type:slug, ent_<uuid> and slug#instance in the selected org', async () => {
      const at = await resolve(viewerA, '@weather-bot');
      expect(at.status).toBe(200);
      expect(fields(at.body)).toEqual(['address', 'count', 'resolved']);
      expect(at.body.address).toBe('@weather-bot');
      expect(at.body.count).toBe(at.body.resolved.length);
      expect(at.body.count).toBeGreaterThanOrEqual(3);
      const typed = await resolve(viewerA, 'service:weather-api');
      expect(typed.body).toMatchObject({ count: 1, resolved: [{ slug: 'weather-api', type: 'service' }] });
      const byId = await resolve(viewerA, weatherBot.id);
      expect(byId.body).toMatchObject({ count: 1, resolved: [{ id: weatherBot.id }] });
      const inst = await resolve(viewerA, 'weather-bot#replica-2');
      expect(inst.body).toMatchObject({ count: 1, resolved: [{ instanceId: 'replica-2' }] });
    });

    it('answers 404 with up to five suggestions from the same org only', async () => {
      const miss = await resolve(viewerA, '@weathr-bot');
      expectProblem(miss, 404, 'IDENTITY_ENTITY_NOT_FOUND');
      expect(miss.body.suggestions).toEqual(expect.arrayContaining(['weather-bot', 'weather-api']));
      expect(miss.body.suggestions.length).toBeLessThanOrEqual(5);
      expect(miss.body.suggestions).not.toContain('weather-bee');
      const fromB = await resolve(B.token, '@weather-bot');
      expectProblem(fromB, 404, 'IDENTITY_ENTITY_NOT_FOUND');
      expect(fromB.body.suggestions).toEqual(['weather-bee']);
      expectProblem(await resolve(B.token, weatherBot.id), 404, 'IDENTITY_ENTITY_NOT_FOUND');
      for (const address of ['robot:weather-bot', '@', '.*', "weather'; drop table x"]) {
        const res = await resolve(viewerA, address);
        expectProblem(res, 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expect(Array.isArray(res.body.suggestions)).toBe(true);
      }
      expectProblem(await resolve(viewerA, ''), 400, 'VALIDATION_FAILED');
    });
  });

  describe('bind and unbind', () => {
    it('binds for the network service or an org admin, and finds the entity by node', async () => {
      const e = await entity(memberA, { slug: 'node-bound' });
      const bound = await bind(network, e.id, 'node-123');
      expect(bound.status).toBe(200);
      expect(bound.body).toMatchObject({ id: e.id, boundNodeId: 'node-123' });
      const found = await h.http.get('/api/entities/by-node/node-123').set(auth(viewerA));
      expect(found.status).toBe(200);
      expect(found.body.id).toBe(e.id);
      await writesNothing(h, async () => {
        expectProblem(await h.http.get('/api/entities/by-node/node-123').set(auth(B.token)), 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expectProblem(await bind(memberA, e.id, 'node-9'), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
        expectProblem(await bind(logging, e.id, 'node-9'), 403, 'IDENTITY_ORG_ROLE_REQUIRED');
        expectProblem(await bind(B.token, e.id, 'node-9'), 404, 'IDENTITY_ENTITY_NOT_FOUND');
        expectProblem(await bind(A.token, e.id, ''), 400, 'VALIDATION_FAILED');
        // Unbinding from a node it is no longer bound to changes nothing.
        const stale = await h.http.post(`/api/entities/${e.id}/unbind`).set(auth(network)).send({ nodeId: 'node-old' });
        expect(stale.body.boundNodeId).toBe('node-123');
      });
      expect((await bind(A.token, e.id, 'node-456')).body.boundNodeId).toBe('node-456');
      const unbound = await h.http.post(`/api/entities/${e.id}/unbind`).set(auth(A.token)).send({});
      expect(unbound.status).toBe(200);
      expect(unbound.body.boundNodeId).toBeNull();
      expectProblem(await h.http.get('/api/entities/by-node/node-456').set(auth(viewerA)), 404, 'IDENTITY_ENTITY_NOT_FOUND');
      expect(await auditRows(h, { action: 'entity.bound', resourceId: e.id })).toHaveLength(2);
      expect(await auditRows(h, { action: 'entity.unbound', resourceId: e.id })).toHaveLength(1);
    });
  });
  it('answered no request of this suite with a 5xx', () => {
    expect(h.logText()).not.toMatch(/"status":5\d\d/);
  });
});
