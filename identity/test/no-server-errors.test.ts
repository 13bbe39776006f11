import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actions, createHarness, type Harness } from './harness.js';

/**
 * "Nothing a client can send produces a 500" (§1.4), checked across every registered route: junk
 * path ids, bodies of every JSON shape, odd query values, as a super admin, an org admin and a
 * service.
 */
const JUNK_IDS = ['x', '00000000-0000-4000-8000-000000000000', 'ent_%00', 'a'.repeat(300)];
const BODIES: unknown[] = [{}, [], 'text', 12, null, { a: { b: [1, { c: null }] } }, { name: 1e308, email: ['x'], scopes: 'nope', orgId: 'no', limit: -1 }];
const QUERY = '?limit=999999&cursor=zz.zz&from=yesterday&includeRevoked=maybe&type=%00&q=%25%5F';

describeEachEngine('no request produces a 500', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(engine, { IDENTITY_RATE_LIMIT_ADMIN: '100000', IDENTITY_RATE_LIMIT_LOGIN_IP: '100000', IDENTITY_RATE_LIMIT_REGISTER_IP: '100000', IDENTITY_RATE_LIMIT_KEYS_USER: '100000', IDENTITY_RATE_LIMIT_FORGOT_IP: '100000' });
  });
  afterAll(() => h.close());

  it('answers every route with junk input without a server error', async () => {
    const a = actions(h);
    const owner = await a.orgAdmin();
    const failures: string[] = [];
    const login = async () => (await h.http.post('/api/auth/login').send({ email: owner.email, password: owner.password })).body.token as string;
    for (const spec of h.routes) {
      for (const rawPath of [spec.path, ...(spec.aliases ?? [])]) {
        for (const id of JUNK_IDS) {
          // Fresh credentials: routes such as logout, refresh and revoke-all end the session they are sent with.
          const tokens = [await a.adminToken(), await login(), await a.serviceToken('integrations')];
          const path = rawPath.replace(/:[A-Za-z]+/g, encodeURIComponent(id).replace(/%25/g, '%'));
          for (const token of tokens) {
            const bodies = spec.method === 'get' ? [undefined] : BODIES;
            for (const body of bodies) {
              let req = h.http[spec.method](`${path}${QUERY}`).set('authorization', `Bearer ${token}`).set('x-org-id', owner.orgId);
              if (body !== undefined) req = req.set('content-type', 'application/json').send(JSON.stringify(body));
              const res = await req;
              if (res.status >= 500) failures.push(`${spec.method.toUpperCase()} ${path} ${JSON.stringify(body)} → ${res.status} ${res.body?.code}`);
            }
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);
});

