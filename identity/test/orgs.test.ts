import { describeEachEngine } from '@symbia/db/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeader, auditRows, auth, expectProblem, fields, scenario, tamper, walkPages, writesNothing } from './api-support.js';
import { createHarness, type Harness } from './harness.js';

type Member = Awaited<ReturnType<ReturnType<typeof scenario>['addMember']>>;
type OrgAdmin = Awaited<ReturnType<ReturnType<typeof scenario>['orgAdmin']>>;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Outline §2.5 (orgs, members, member grants, plans, license, entitlements) and the §2.2 rules behind them. */
describeEachEngine('identity organizations (§2.5, §2.2)', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;
  /** Org A: an admin, a member and a viewer. Org B: another admin. */
  let A: OrgAdmin;
  let B: OrgAdmin;
  let memberA: Member;
  let viewerA: Member;
  let agentA: { agent: { id: string }; token: string };
  let serviceToken: string;
  let freePlanId: string;

  beforeAll(async () => {
    h = await createHarness(engine);
    s = scenario(h);
    A = await s.orgAdmin();
    B = await s.orgAdmin();
    memberA = await s.addMember(A.token, A.orgId, 'member');
    viewerA = await s.addMember(A.token, A.orgId, 'viewer');
    agentA = await s.agent(A.token, A.orgId);
    serviceToken = await s.serviceToken('network');
    const plans = await h.http.get('/api/plans').set(auth(A.token));
    freePlanId = plans.body.plans.find((p: { name: string }) => p.name === 'free').id;
  });
  afterAll(() => h.close());

  const me = async (token: string) => {
    const res = await h.http.get('/api/auth/me').set(auth(token));
    expect(res.status).toBe(200);
    return res.body as { organizations: Array<{ id: string; role: string; capabilities: string[] }> };
  };
  const capsIn = async (token: string, orgId: string) => (await me(token)).organizations.find((o) => o.id === orgId)?.capabilities ?? [];

  describe('POST /api/orgs', () => {
    it('201 with exactly {id,name,slug,planId,createdAt}; the creator is admin on the default plan; audited', async () => {
      const u = await s.register();
      const slug = `team-${s.unique()}`;
      const res = await h.http.post('/api/orgs').set(auth(u.token)).send({ name: '  Team Rocket ', slug });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['createdAt', 'id', 'name', 'planId', 'slug']);
      expect(res.body).toMatchObject({ name: 'Team Rocket', slug, planId: freePlanId });
      expect(res.body.createdAt).toMatch(ISO);
      const mine = await h.http.get('/api/orgs').set(auth(u.token));
      expect(mine.body.organizations).toEqual([expect.objectContaining({ id: res.body.id, role: 'admin', memberCount: 1 })]);
      const rows = await auditRows(h, { action: 'org.created', resourceId: res.body.id });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_type: 'user', actor_id: u.user.id, org_id: res.body.id });
    });

    it('accepts slugs of 3 and 48 characters; refuses bad slugs and names with 400 VALIDATION_FAILED, writing nothing', async () => {
      const u = await s.register();
      const three = `${s.unique().slice(0, 3).replace(/[^a-z0-9]/g, 'a')}`;
      expect((await h.http.post('/api/orgs').set(auth(u.token)).send({ name: 'Short', slug: three })).status).toBe(201);
      const long = `l${s.unique()}`.padEnd(48, 'x');
      expect((await h.http.post('/api/orgs').set(auth(u.token)).send({ name: 'Long', slug: long })).status).toBe(201);
      await writesNothing(h, async () => {
        for (const body of [
          { name: 'X', slug: 'ab' },
          { name: 'X', slug: 'a'.repeat(49) },
          { name: 'X', slug: 'Upper-case' },
          { name: 'X', slug: '-leading' },
          { name: 'X', slug: 'trailing-' },
          { name: 'X', slug: 'double--hyphen' },
          { name: 'X', slug: 'under_score' },
          { name: 'X', slug: 'spa ce' },
          { name: '', slug: 'fine-slug' },
          { name: 'x'.repeat(101), slug: 'fine-slug' },
          { slug: 'fine-slug' },
          { name: 'X' },
          { name: 'X', slug: 'fine-slug', planId: freePlanId },
        ]) {
          const res = await h.http.post('/api/orgs').set(auth(u.token)).send(body);
          expectProblem(res, 400, 'VALIDATION_FAILED');
        }
      });
    });

    it('409 IDENTITY_ORG_SLUG_TAKEN for a used slug, writing nothing', async () => {
      const u = await s.register();
      await writesNothing(h, async () => {
        expectProblem(await h.http.post('/api/orgs').set(auth(u.token)).send({ name: 'Dup', slug: A.slug }), 409, 'IDENTITY_ORG_SLUG_TAKEN');
      });
    });

    it('is user-jwt only: API keys, agents and services get 403 IDENTITY_USER_TOKEN_REQUIRED; anonymous 401', async () => {
      const key = await s.key(A.token);
      await writesNothing(h, async () => {
        for (const headers of [apiKeyHeader(key.key), auth(key.key), auth(agentA.token), auth(serviceToken)]) {
          expectProblem(await h.http.post('/api/orgs').set(headers).send({ name: 'Nope', slug: `nope-${s.unique()}` }), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
        }
        expectProblem(await h.http.post('/api/orgs').send({ name: 'Nope', slug: 'nope-anon' }), 401, 'AUTH_REQUIRED');
      });
    });
  });

  describe('register with orgName', () => {
    it('derives the slug from the name and appends -2, -3 when taken', async () => {
      const name = `Collide ${s.unique()}`;
      const base = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const slugs = [];
      for (let i = 0; i < 3; i++) slugs.push((await s.register({ orgName: name })).user.organizations[0]!.slug);
      expect(slugs).toEqual([base, `${base}-2`, `${base}-3`]);
    });
  });

  describe('GET /api/orgs', () => {
    it('lists the caller\'s orgs with the outline fields, newest first, paging without gaps or duplicates', async () => {
      const u = await s.register();
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await h.http.post('/api/orgs').set(auth(u.token)).send({ name: `Paged ${i}`, slug: `paged-${i}-${s.unique()}` });
        created.push(res.body.id);
      }
      const first = await h.http.get('/api/orgs').set(auth(u.token));
      expect(first.status).toBe(200);
      expect(fields(first.body)).toEqual(['nextCursor', 'organizations']);
      expect(first.body.nextCursor).toBeNull();
      expect(fields(first.body.organizations[0])).toEqual(['createdAt', 'id', 'memberCount', 'name', 'planId', 'role', 'slug']);
      expect(first.body.organizations.map((o: { id: string }) => o.id)).toEqual([...created].reverse());
      for (const limit of [1, 2, 3]) expect(await walkPages(h, '/api/orgs', 'organizations', auth(u.token), limit)).toEqual([...created].reverse());
      // Above the maximum is clamped, not refused.
      const big = await h.http.get('/api/orgs?limit=1000').set(auth(u.token));
      expect(big.status).toBe(200);
      expect(big.body.organizations).toHaveLength(5);
    });

    it('400 VALIDATION_FAILED for a bad limit; 400 PAGINATION_CURSOR_INVALID for a tampered or foreign cursor', async () => {
      const u = await s.register();
      for (let i = 0; i < 3; i++) await h.http.post('/api/orgs').set(auth(u.token)).send({ name: `C ${i}`, slug: `cur-${i}-${s.unique()}` });
      for (const limit of ['0', '-1', 'abc', '1.5', '']) {
        const res = await h.http.get(`/api/orgs?limit=${limit}`).set(auth(u.token));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors[0]).toMatchObject({ location: 'query', path: 'limit' });
      }
      const page = await h.http.get('/api/orgs?limit=1').set(auth(u.token));
      const cursor = page.body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      expectProblem(await h.http.get(`/api/orgs?limit=1&cursor=${encodeURIComponent(tamper(cursor))}`).set(auth(u.token)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get('/api/orgs?cursor=garbage').set(auth(u.token)), 400, 'PAGINATION_CURSOR_INVALID');
      // Another user's cursor, and a cursor of another list.
      expectProblem(await h.http.get(`/api/orgs?limit=1&cursor=${encodeURIComponent(cursor)}`).set(auth(A.token)), 400, 'PAGINATION_CURSOR_INVALID');
      const members = await h.http.get(`/api/orgs/${A.orgId}/members?limit=1`).set(auth(A.token));
      expectProblem(await h.http.get(`/api/orgs?limit=1&cursor=${encodeURIComponent(members.body.nextCursor)}`).set(auth(u.token)), 400, 'PAGINATION_CURSOR_INVALID');
    });

    it('accepts an API key; a key bound to one org lists only that org', async () => {
      const u = await s.orgAdmin();
      const second = await h.http.post('/api/orgs').set(auth(u.token)).send({ name: 'Second', slug: `second-${s.unique()}` });
      const unbound = await s.key(u.token);
      const bound = await s.key(u.token, { orgId: u.orgId });
      const all = await h.http.get('/api/orgs').set(apiKeyHeader(unbound.key));
      expect(all.body.organizations.map((o: { id: string }) => o.id).sort()).toEqual([u.orgId, second.body.id].sort());
      const one = await h.http.get('/api/orgs').set(apiKeyHeader(bound.key));
      expect(one.status).toBe(200);
      expect(one.body.organizations.map((o: { id: string }) => o.id)).toEqual([u.orgId]);
    });

    it('refuses agents and services (403) and anonymous callers (401)', async () => {
      expectProblem(await h.http.get('/api/orgs').set(auth(agentA.token)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.get('/api/orgs').set(auth(serviceToken)), 403, 'IDENTITY_USER_TOKEN_REQUIRED');
      expectProblem(await h.http.get('/api/orgs'), 401, 'AUTH_REQUIRED');
    });
  });

  describe('GET /api/orgs/:orgId', () => {
    it('answers a viewer with organization (plan included), members and plan entitlements', async () => {
      const res = await h.http.get(`/api/orgs/${A.orgId}`).set(auth(viewerA.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['entitlements', 'members', 'organization']);
      expect(fields(res.body.organization)).toEqual(['createdAt', 'id', 'name', 'plan', 'planId', 'slug']);
      expect(fields(res.body.organization.plan)).toEqual(['features', 'id', 'limits', 'name']);
      expect(res.body.organization).toMatchObject({ id: A.orgId, slug: A.slug, planId: freePlanId, plan: { id: freePlanId, name: 'free' } });
      expect(res.body.members.length).toBeGreaterThanOrEqual(3);
      for (const m of res.body.members) {
        expect(fields(m)).toEqual(['id', 'joinedAt', 'role', 'user', 'userId']);
        expect(fields(m.user)).toEqual(['email', 'id', 'name']);
        expect(m.joinedAt).toMatch(ISO);
      }
      expect(res.body.members).toContainEqual(expect.objectContaining({ id: viewerA.memberId, userId: viewerA.user.id, role: 'viewer', user: { id: viewerA.user.id, email: viewerA.email, name: 'Test User' } }));
      expect(res.body.entitlements.length).toBeGreaterThan(0);
      for (const e of res.body.entitlements) expect(fields(e)).toEqual(['enabled', 'expiresAt', 'featureKey']);
      expect(res.body.entitlements.map((e: { featureKey: string }) => e.featureKey)).toEqual(res.body.organization.plan.features);
    });

    it('404 IDENTITY_ORG_NOT_FOUND for a non-member and for a missing org; a super admin passes', async () => {
      expectProblem(await h.http.get(`/api/orgs/${A.orgId}`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expectProblem(await h.http.get(`/api/orgs/${randomUUID()}`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expect((await h.http.get(`/api/orgs/${A.orgId}`).set(auth(await s.admin()))).status).toBe(200);
    });
  });

  describe('PATCH /api/orgs/:orgId', () => {
    it('an admin renames and re-slugs; answers the organization; audited', async () => {
      const o = await s.orgAdmin();
      const slug = `renamed-${s.unique()}`;
      const res = await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ name: ' Renamed ', slug });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: o.orgId, name: 'Renamed', slug, planId: freePlanId });
      expect(res.body.createdAt).toMatch(ISO);
      expect(await auditRows(h, { action: 'org.updated', resourceId: o.orgId })).toHaveLength(1);
    });

    it('400 for a bad slug, 409 IDENTITY_ORG_SLUG_TAKEN for a used one; nothing written', async () => {
      const o = await s.orgAdmin();
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ slug: 'Bad Slug' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ planId: freePlanId }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ slug: B.slug }), 409, 'IDENTITY_ORG_SLUG_TAKEN');
      });
    });
  });

  describe('org role rules on every org route', () => {
    const routes = (orgId: string, memberId: string, slug: string, email: string) =>
      [
        ['get', `/api/orgs/${orgId}`, undefined, 'viewer'],
        ['patch', `/api/orgs/${orgId}`, { name: 'Hijacked' }, 'admin'],
        ['delete', `/api/orgs/${orgId}`, { confirm: slug }, 'admin'],
        ['get', `/api/orgs/${orgId}/members`, undefined, 'viewer'],
        ['post', `/api/orgs/${orgId}/members/invite`, { email }, 'admin'],
        ['patch', `/api/orgs/${orgId}/members/${memberId}`, { role: 'viewer' }, 'admin'],
        ['delete', `/api/orgs/${orgId}/members/${memberId}`, undefined, 'admin'],
        ['get', `/api/orgs/${orgId}/members/${memberId}/entitlements`, undefined, 'admin'],
        ['post', `/api/orgs/${orgId}/members/${memberId}/entitlements`, { key: 'cap:catalog.publish' }, 'admin'],
        ['delete', `/api/orgs/${orgId}/members/${memberId}/entitlements/cap:catalog.read`, undefined, 'admin'],
        ['get', `/api/entitlements/${orgId}`, undefined, 'viewer'],
        ['get', `/api/license/${orgId}`, undefined, 'viewer'],
        ['get', `/api/orgs/${orgId}/agents`, undefined, 'viewer'],
        ['get', `/api/orgs/${orgId}/audit-logs`, undefined, 'admin'],
      ] as const;

    const call = (method: string, path: string, body: object | undefined, headers: Record<string, string>) => {
      const req = (h.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method]!(path).set(headers);
      return body ? req.send(body) : req;
    };

    it('a member below the role gets 403 IDENTITY_ORG_ROLE_REQUIRED with requiredRole; nothing is written', async () => {
      const outsider = await s.register();
      await writesNothing(h, async () => {
        for (const [caller, rank] of [[viewerA, 1], [memberA, 2]] as const) {
          for (const [method, path, body, role] of routes(A.orgId, A.user.id, A.slug, outsider.email)) {
            const needed = role === 'admin' ? 3 : 1;
            if (rank >= needed) continue;
            const res = await call(method, path, body, auth(caller.token));
            expectProblem(res, 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: role });
          }
        }
      });
    });

    it('another org\'s admin gets 404 IDENTITY_ORG_NOT_FOUND on every route, never 403 or 200; nothing is written', async () => {
      const outsider = await s.register();
      await writesNothing(h, async () => {
        for (const [method, path, body] of routes(A.orgId, memberA.memberId, A.slug, outsider.email)) {
          const res = await call(method, path, body, auth(B.token));
          expectProblem(res, 404, 'IDENTITY_ORG_NOT_FOUND');
        }
        // A missing org answers the same.
        for (const [method, path, body] of routes(randomUUID(), memberA.memberId, 'whatever', outsider.email)) {
          expectProblem(await call(method, path, body, auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
        }
      });
    });

    it('an API key bound to org B cannot act in org A (404), though its creator is A\'s admin', async () => {
      const both = await s.orgAdmin();
      const other = await h.http.post('/api/orgs').set(auth(both.token)).send({ name: 'Other', slug: `other-${s.unique()}` });
      const key = await s.key(both.token, { orgId: other.body.id });
      expect((await h.http.get(`/api/orgs/${other.body.id}`).set(apiKeyHeader(key.key))).status).toBe(200);
      await writesNothing(h, async () => {
        for (const [method, path, body] of routes(both.orgId, both.user.id, both.slug, memberA.email)) {
          expectProblem(await call(method, path, body, apiKeyHeader(key.key)), 404, 'IDENTITY_ORG_NOT_FOUND');
        }
      });
    });

    it('X-Org-Id naming another org than the path is 400 TENANT_ORG_CONFLICT; the same org is fine', async () => {
      expect((await h.http.get(`/api/orgs/${A.orgId}`).set(auth(A.token)).set('x-org-id', A.orgId)).status).toBe(200);
      await writesNothing(h, async () => {
        for (const [method, path, body] of routes(A.orgId, memberA.memberId, A.slug, memberA.email)) {
          expectProblem(await call(method, path, body, { ...auth(A.token), 'x-org-id': B.orgId }), 400, 'TENANT_ORG_CONFLICT');
        }
        expectProblem(await h.http.get(`/api/orgs/${A.orgId}`).set(auth(A.token)).set('x-org-id', 'not-a-uuid'), 400, 'VALIDATION_FAILED');
      });
    });

    it('an agent of the org holds no org role', async () => {
      for (const [method, path, body] of routes(B.orgId, B.user.id, B.slug, memberA.email)) {
        const res = await call(method, path, body, auth(agentA.token));
        expect(res.status).toBe(404);
      }
      const res = await h.http.get(`/api/orgs/${A.orgId}/members`).set(auth(agentA.token));
      expect([403, 404]).toContain(res.status);
    });
  });

  describe('members', () => {
    it('GET lists members with the outline fields, paging without gaps or duplicates', async () => {
      const o = await s.orgAdmin();
      const ids = [o.user.id];
      for (let i = 0; i < 4; i++) ids.push((await s.addMember(o.token, o.orgId, 'viewer')).user.id);
      const res = await h.http.get(`/api/orgs/${o.orgId}/members`).set(auth(o.token));
      expect(res.status).toBe(200);
      expect(fields(res.body)).toEqual(['members', 'nextCursor']);
      expect(fields(res.body.members[0])).toEqual(['id', 'joinedAt', 'role', 'user', 'userId']);
      expect(res.body.members.map((m: { userId: string }) => m.userId)).toEqual([...ids].reverse());
      const all = res.body.members.map((m: { id: string }) => m.id);
      for (const limit of [1, 2, 4]) expect(await walkPages(h, `/api/orgs/${o.orgId}/members`, 'members', auth(o.token), limit)).toEqual(all);
      const page = await h.http.get(`/api/orgs/${o.orgId}/members?limit=2`).set(auth(o.token));
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/members?cursor=${encodeURIComponent(tamper(page.body.nextCursor))}`).set(auth(o.token)), 400, 'PAGINATION_CURSOR_INVALID');
      // A cursor of org O's list replayed on org A's list.
      expectProblem(await h.http.get(`/api/orgs/${A.orgId}/members?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`).set(auth(A.token)), 400, 'PAGINATION_CURSOR_INVALID');
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}/members?limit=0`).set(auth(o.token)), 400, 'VALIDATION_FAILED');
    });

    it('invite: 201 {id,orgId,userId,role,joinedAt}, default role member, email matched case-insensitively; event and audit', async () => {
      const o = await s.orgAdmin();
      const u = await s.register();
      const before = h.events.length;
      const res = await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: `  ${u.email.toUpperCase()} ` });
      expect(res.status).toBe(201);
      expect(fields(res.body)).toEqual(['id', 'joinedAt', 'orgId', 'role', 'userId']);
      expect(res.body).toMatchObject({ orgId: o.orgId, userId: u.user.id, role: 'member' });
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.membership.changed', payload: { orgId: o.orgId, userId: u.user.id, role: 'member' } });
      const rows = await auditRows(h, { action: 'member.invited', orgId: o.orgId });
      expect(rows).toHaveLength(1);
      expect((await capsIn(u.token, o.orgId))).toContain('cap:catalog.write');
    });

    it('invite errors: 404 IDENTITY_USER_NOT_FOUND, 409 IDENTITY_MEMBER_EXISTS, 400 for a bad role; nothing written', async () => {
      const o = await s.orgAdmin();
      const u = await s.register();
      expect((await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: u.email, role: 'viewer' })).status).toBe(201);
      await writesNothing(h, async () => {
        expectProblem(await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: 'nobody-here@example.test' }), 404, 'IDENTITY_USER_NOT_FOUND');
        expectProblem(await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: u.email }), 409, 'IDENTITY_MEMBER_EXISTS');
        expectProblem(await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: u.email, role: 'owner' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: u.email, role: 'agent' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: 'not an email' }), 400, 'VALIDATION_FAILED');
      });
    });

    it('PATCH changes a role by membership id or by user id; the last admin cannot be demoted (409)', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      const before = h.events.length;
      const byMembership = await h.http.patch(`/api/orgs/${o.orgId}/members/${m.memberId}`).set(auth(o.token)).send({ role: 'viewer' });
      expect(byMembership.status).toBe(200);
      expect(fields(byMembership.body)).toEqual(['id', 'joinedAt', 'orgId', 'role', 'userId']);
      expect(byMembership.body).toMatchObject({ id: m.memberId, orgId: o.orgId, userId: m.user.id, role: 'viewer' });
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.membership.changed', payload: { orgId: o.orgId, userId: m.user.id, role: 'viewer' } });
      expect(await capsIn(m.token, o.orgId)).not.toContain('cap:catalog.write');
      const byUser = await h.http.patch(`/api/orgs/${o.orgId}/members/${m.user.id}`).set(auth(o.token)).send({ role: 'admin' });
      expect(byUser.status).toBe(200);
      expect(byUser.body).toMatchObject({ id: m.memberId, role: 'admin' });
      expect(await auditRows(h, { action: 'member.role_changed', orgId: o.orgId })).toHaveLength(2);
      // Two admins: one may step down; then the other is the last.
      expect((await h.http.patch(`/api/orgs/${o.orgId}/members/${o.user.id}`).set(auth(m.token)).send({ role: 'member' })).status).toBe(200);
      await writesNothing(h, async () => {
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${m.memberId}`).set(auth(m.token)).send({ role: 'member' }), 409, 'IDENTITY_LAST_ADMIN');
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${m.memberId}`).set(auth(m.token)).send({ role: 'owner' }), 400, 'VALIDATION_FAILED');
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${randomUUID()}`).set(auth(m.token)).send({ role: 'member' }), 404, 'IDENTITY_MEMBER_NOT_FOUND');
        // A member of another org, by membership id and by user id.
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${memberA.memberId}`).set(auth(m.token)).send({ role: 'member' }), 404, 'IDENTITY_MEMBER_NOT_FOUND');
        expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${memberA.user.id}`).set(auth(m.token)).send({ role: 'member' }), 404, 'IDENTITY_MEMBER_NOT_FOUND');
      });
      // The demoted former admin now lacks the admin role.
      expectProblem(await h.http.patch(`/api/orgs/${o.orgId}/members/${m.memberId}`).set(auth(o.token)).send({ role: 'member' }), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
    });

    it('DELETE: an admin removes a member (204, event); a member may leave; the last admin cannot leave (409)', async () => {
      const o = await s.orgAdmin();
      const m1 = await s.addMember(o.token, o.orgId, 'member');
      const m2 = await s.addMember(o.token, o.orgId, 'viewer');
      const m3 = await s.addMember(o.token, o.orgId, 'member');
      const before = h.events.length;
      const res = await h.http.delete(`/api/orgs/${o.orgId}/members/${m1.memberId}`).set(auth(o.token));
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.membership.changed', payload: { orgId: o.orgId, userId: m1.user.id, role: null } });
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}`).set(auth(m1.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      // A viewer cannot remove someone else…
      await writesNothing(h, async () => {
        expectProblem(await h.http.delete(`/api/orgs/${o.orgId}/members/${m3.memberId}`).set(auth(m2.token)), 403, 'IDENTITY_ORG_ROLE_REQUIRED', { requiredRole: 'admin' });
        expectProblem(await h.http.delete(`/api/orgs/${o.orgId}/members/${m1.memberId}`).set(auth(o.token)), 404, 'IDENTITY_MEMBER_NOT_FOUND');
        expectProblem(await h.http.delete(`/api/orgs/${o.orgId}/members/${o.user.id}`).set(auth(o.token)), 409, 'IDENTITY_LAST_ADMIN');
      });
      // …but may leave, by user id.
      expect((await h.http.delete(`/api/orgs/${o.orgId}/members/${m2.user.id}`).set(auth(m2.token))).status).toBe(204);
      expect((await h.http.get('/api/orgs').set(auth(m2.token))).body.organizations).toEqual([]);
      expect(await auditRows(h, { action: 'member.removed', orgId: o.orgId })).toHaveLength(2);
    });

    it('a removed member loses their org grants and org-bound keys; invited again, they start from their role', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      expect((await h.http.post(`/api/orgs/${o.orgId}/members/${m.memberId}/entitlements`).set(auth(o.token)).send({ key: 'cap:logging.admin' })).status).toBe(201);
      const key = await s.key(m.token, { orgId: o.orgId });
      expect((await s.introspect(key.key)).active).toBe(true);
      expect((await h.http.delete(`/api/orgs/${o.orgId}/members/${m.memberId}`).set(auth(o.token))).status).toBe(204);
      expect(await s.introspect(key.key)).toEqual({ active: false });
      const again = await h.http.post(`/api/orgs/${o.orgId}/members/invite`).set(auth(o.token)).send({ email: m.email, role: 'viewer' });
      expect(again.status).toBe(201);
      expect(await capsIn(m.token, o.orgId)).not.toContain('cap:logging.admin');
      expect((await h.http.get(`/api/orgs/${o.orgId}/members/${again.body.id}/entitlements`).set(auth(o.token))).body).toEqual({ entitlements: [] });
    });
  });

  describe('member grants and effective capabilities (§2.2)', () => {
    it('POST 201, then 200 when repeated; GET lists {key,expiresAt,grantedBy,createdAt}; DELETE 204 then 404', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      const path = `/api/orgs/${o.orgId}/members/${m.memberId}/entitlements`;
      const before = h.events.length;
      const first = await h.http.post(path).set(auth(o.token)).send({ key: 'cap:catalog.publish' });
      expect(first.status).toBe(201);
      expect(fields(first.body)).toEqual(['createdAt', 'expiresAt', 'grantedBy', 'key']);
      expect(first.body).toMatchObject({ key: 'cap:catalog.publish', expiresAt: null, grantedBy: o.user.id });
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.membership.changed', payload: expect.objectContaining({ orgId: o.orgId, userId: m.user.id }) });
      await writesNothing(h, async () => {
        const again = await h.http.post(path).set(auth(o.token)).send({ key: 'cap:catalog.publish' });
        expect(again.status).toBe(200);
        expect(again.body).toEqual(first.body);
      });
      // By user id too.
      const list = await h.http.get(`/api/orgs/${o.orgId}/members/${m.user.id}/entitlements`).set(auth(o.token));
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ entitlements: [first.body] });
      expect(await auditRows(h, { action: 'entitlement.granted', orgId: o.orgId })).toHaveLength(1);
      const del = await h.http.delete(`${path}/cap:catalog.publish`).set(auth(o.token));
      expect(del.status).toBe(204);
      expect(del.text).toBe('');
      expect(await auditRows(h, { action: 'entitlement.revoked', orgId: o.orgId })).toHaveLength(1);
      await writesNothing(h, async () => {
        const gone = await h.http.delete(`${path}/cap:catalog.publish`).set(auth(o.token));
        expect(gone.status).toBe(404);
      });
      expect((await h.http.get(path).set(auth(o.token))).body).toEqual({ entitlements: [] });
    });

    it('an org admin cannot grant grant-only capabilities nor ones their role does not imply (403); bad keys 400', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      const path = `/api/orgs/${o.orgId}/members/${m.memberId}/entitlements`;
      await writesNothing(h, async () => {
        for (const key of ['cap:catalog.sign', 'cap:catalog.certify', 'cap:messaging.observe', 'cap:registry.sign', 'cap:identity.introspect', 'cap:catalog.*', 'cap:billing.admin']) {
          expectProblem(await h.http.post(path).set(auth(o.token)).send({ key }), 403, 'IDENTITY_CAPABILITY_NOT_GRANTABLE');
        }
        for (const body of [{ key: 'catalog.read' }, { key: 'cap:Catalog.read' }, { key: 'cap:catalog' }, { key: 'cap:catalog.read', expiresAt: new Date(Date.now() - 60_000).toISOString() }, { key: 'cap:catalog.read', expiresAt: 'tomorrow' }, { key: 'cap:catalog.read', extra: 1 }]) {
          expectProblem(await h.http.post(path).set(auth(o.token)).send(body), 400, 'VALIDATION_FAILED');
        }
        expectProblem(await h.http.post(`/api/orgs/${o.orgId}/members/${randomUUID()}/entitlements`).set(auth(o.token)).send({ key: 'cap:catalog.read' }), 404, 'IDENTITY_MEMBER_NOT_FOUND');
        expectProblem(await h.http.get(`/api/orgs/${o.orgId}/members/${memberA.memberId}/entitlements`).set(auth(o.token)), 404, 'IDENTITY_MEMBER_NOT_FOUND');
      });
    });

    it('cap:registry.x is stored as cap:catalog.x', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'viewer');
      const path = `/api/orgs/${o.orgId}/members/${m.memberId}/entitlements`;
      const res = await h.http.post(path).set(auth(o.token)).send({ key: 'cap:registry.publish' });
      expect(res.status).toBe(201);
      expect(res.body.key).toBe('cap:catalog.publish');
      expect((await h.http.post(path).set(auth(o.token)).send({ key: 'cap:catalog.publish' })).status).toBe(200);
      expect((await h.http.get(path).set(auth(o.token))).body.entitlements.map((g: { key: string }) => g.key)).toEqual(['cap:catalog.publish']);
      const stored = await h.deps.database.query<{ key: string }>('SELECT key FROM identity.user_grants WHERE user_id = $1', [m.user.id]);
      expect(stored.rows.map((r) => r.key)).toEqual(['cap:catalog.publish']);
      expect(await capsIn(m.token, o.orgId)).toContain('cap:catalog.publish');
      // Deleting by the alias removes the canonical grant.
      expect((await h.http.delete(`${path}/cap:registry.publish`).set(auth(o.token))).status).toBe(204);
      expect(await capsIn(m.token, o.orgId)).not.toContain('cap:catalog.publish');
    });

    it('/api/auth/me capabilities = role-implied ∪ org grants in that org ∪ global grants; expired grants are ignored', async () => {
      const o = await s.orgAdmin();
      const v = await s.addMember(o.token, o.orgId, 'viewer');
      const other = await s.orgAdmin();
      await h.http.post(`/api/orgs/${other.orgId}/members/invite`).set(auth(other.token)).send({ email: v.email, role: 'viewer' });
      const viewerCaps = await capsIn(v.token, o.orgId);
      expect(viewerCaps).toEqual(expect.arrayContaining(['cap:catalog.read', 'cap:logging.read', 'cap:integrations.read']));
      expect(viewerCaps).not.toContain('cap:catalog.write');
      expect(viewerCaps).not.toContain('cap:catalog.sign');
      // Org grant in O only.
      const path = `/api/orgs/${o.orgId}/members/${v.memberId}/entitlements`;
      expect((await h.http.post(path).set(auth(o.token)).send({ key: 'cap:logging.admin' })).status).toBe(201);
      expect(await capsIn(v.token, o.orgId)).toContain('cap:logging.admin');
      expect(await capsIn(v.token, other.orgId)).not.toContain('cap:logging.admin');
      // Global grant (SA): in every org.
      const admin = await s.admin();
      expect((await h.http.post(`/api/admin/users/${v.user.id}/entitlements`).set(auth(admin)).send({ key: 'cap:catalog.sign' })).status).toBe(201);
      expect(await capsIn(v.token, o.orgId)).toContain('cap:catalog.sign');
      expect(await capsIn(v.token, other.orgId)).toContain('cap:catalog.sign');
      // An expiring org grant counts until it expires.
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const expiring = await h.http.post(path).set(auth(o.token)).send({ key: 'cap:messaging.admin', expiresAt: future });
      expect(expiring.status).toBe(201);
      expect(expiring.body.expiresAt).toBe(future);
      expect(await capsIn(v.token, o.orgId)).toContain('cap:messaging.admin');
      await h.deps.database.query("UPDATE identity.user_grants SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND key = 'cap:messaging.admin'", [v.user.id]);
      expect(await capsIn(v.token, o.orgId)).not.toContain('cap:messaging.admin');
      // Also the expiring global grant.
      expect((await h.http.post(`/api/admin/users/${v.user.id}/entitlements`).set(auth(admin)).send({ key: 'cap:catalog.certify', expiresAt: future })).status).toBe(201);
      expect(await capsIn(v.token, o.orgId)).toContain('cap:catalog.certify');
      await h.deps.database.query("UPDATE identity.user_grants SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND key = 'cap:catalog.certify'", [v.user.id]);
      expect(await capsIn(v.token, o.orgId)).not.toContain('cap:catalog.certify');
      expect((await me(v.token)).organizations.length).toBe(2);
      // Granting again after expiry is a new grant that counts.
      const regrant = await h.http.post(path).set(auth(o.token)).send({ key: 'cap:messaging.admin' });
      expect(regrant.status).toBe(201);
      expect(regrant.body.expiresAt).toBeNull();
      expect(await capsIn(v.token, o.orgId)).toContain('cap:messaging.admin');
    });
  });

  describe('DELETE /api/orgs/:orgId', () => {
    it('400 IDENTITY_CONFIRMATION_MISMATCH unless confirm is the slug; nothing written', async () => {
      const o = await s.orgAdmin();
      await writesNothing(h, async () => {
        expectProblem(await h.http.delete(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ confirm: 'not-the-slug' }), 400, 'IDENTITY_CONFIRMATION_MISMATCH');
        expectProblem(await h.http.delete(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ confirm: o.slug.toUpperCase() }), 400, 'IDENTITY_CONFIRMATION_MISMATCH');
        const missing = await h.http.delete(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({});
        expect(missing.status).toBe(400);
      });
      expect((await h.http.get(`/api/orgs/${o.orgId}`).set(auth(o.token))).status).toBe(200);
    });

    it('204 and cascades: memberships, agents and org-bound keys are gone; identity.org.deleted emitted; audited', async () => {
      const o = await s.orgAdmin();
      const m = await s.addMember(o.token, o.orgId, 'member');
      expect((await h.http.post(`/api/orgs/${o.orgId}/members/${m.memberId}/entitlements`).set(auth(o.token)).send({ key: 'cap:logging.admin' })).status).toBe(201);
      const agent = await s.agent(o.token, o.orgId);
      const boundKey = await s.key(o.token, { orgId: o.orgId });
      const unboundKey = await s.key(o.token);
      const before = h.events.length;
      const res = await h.http.delete(`/api/orgs/${o.orgId}`).set(auth(o.token)).send({ confirm: o.slug });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(h.events.slice(before)).toContainEqual({ type: 'identity.org.deleted', payload: { orgId: o.orgId } });
      expectProblem(await h.http.get(`/api/orgs/${o.orgId}`).set(auth(o.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expect((await h.http.get('/api/orgs').set(auth(m.token))).body.organizations).toEqual([]);
      expectProblem(await h.http.get(`/api/agents/${agent.agent.id}`).set(auth(o.token)), 404, 'IDENTITY_AGENT_NOT_FOUND');
      expect(await s.introspect(agent.token)).toEqual({ active: false });
      expect(await s.introspect(boundKey.key)).toEqual({ active: false });
      expectProblem(await h.http.get(`/api/api-keys/${boundKey.id}`).set(auth(o.token)), 404, 'IDENTITY_KEY_NOT_FOUND');
      expect((await s.introspect(unboundKey.key)).active).toBe(true);
      const listed = await h.http.get('/api/api-keys?includeRevoked=true').set(auth(o.token));
      expect(listed.body.apiKeys.map((k: { id: string }) => k.id)).toEqual([unboundKey.id]);
      for (const table of ['memberships', 'agents', 'api_keys', 'user_grants']) {
        const left = await h.deps.database.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity.${table} WHERE org_id = $1`, [o.orgId]);
        expect(left.rows[0]!.n).toBe(0);
      }
      const rows = await auditRows(h, { action: 'org.deleted', resourceId: o.orgId });
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor_type: 'user', actor_id: o.user.id });
    });
  });

  describe('plans, license and plan entitlements', () => {
    it('GET /api/plans (and /api/admin/plans) answers any principal with {plans:[{id,name,features,limits,priceCents}]}', async () => {
      const key = await s.key(memberA.token);
      for (const headers of [auth(memberA.token), apiKeyHeader(key.key), auth(agentA.token), auth(serviceToken)]) {
        const res = await h.http.get('/api/plans').set(headers);
        expect(res.status).toBe(200);
        expect(fields(res.body)).toEqual(['plans']);
        for (const p of res.body.plans) expect(fields(p)).toEqual(['features', 'id', 'limits', 'name', 'priceCents']);
        expect(res.body.plans.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['free', 'pro', 'enterprise']));
        expect(res.body.plans.find((p: { name: string }) => p.name === 'enterprise').limits.members).toBe(-1);
      }
      const alias = await h.http.get('/api/admin/plans').set(auth(memberA.token));
      expect(alias.status).toBe(200);
      expect(alias.body).toEqual((await h.http.get('/api/plans').set(auth(memberA.token))).body);
      expectProblem(await h.http.get('/api/plans'), 401, 'AUTH_REQUIRED');
    });

    it('GET /api/entitlements/:orgId lists the plan features; GET /api/license/:orgId the license; viewer+ only', async () => {
      const ent = await h.http.get(`/api/entitlements/${A.orgId}`).set(auth(viewerA.token));
      expect(ent.status).toBe(200);
      expect(fields(ent.body)).toEqual(['entitlements']);
      const plan = (await h.http.get('/api/plans').set(auth(A.token))).body.plans.find((p: { id: string }) => p.id === freePlanId);
      expect(ent.body.entitlements).toEqual(plan.features.map((featureKey: string) => ({ featureKey, enabled: true, expiresAt: null })));
      const lic = await h.http.get(`/api/license/${A.orgId}`).set(auth(viewerA.token));
      expect(lic.status).toBe(200);
      expect(lic.body).toEqual({
        organization: { id: A.orgId, name: expect.any(String), slug: A.slug },
        plan: { id: freePlanId, name: 'free' },
        features: plan.features,
        limits: plan.limits,
        status: 'active',
      });
      expectProblem(await h.http.get(`/api/license/${A.orgId}`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
      expectProblem(await h.http.get(`/api/entitlements/${A.orgId}`).set(auth(B.token)), 404, 'IDENTITY_ORG_NOT_FOUND');
    });
  });
});
