import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actions, createHarness, type Harness } from './harness.js';

describeEachEngine('identity smoke', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(engine);
  });
  afterAll(() => h.close());

  it('registers, logs in and answers /api/auth/me', async () => {
    const a = actions(h);
    const u = await a.register({ orgName: 'Acme Labs' });
    expect(u.user.organizations[0]).toMatchObject({ slug: 'acme-labs', role: 'admin' });
    const me = await h.http.get('/api/auth/me').set('authorization', `Bearer ${u.token}`);
    expect(me.status).toBe(200);
    expect(me.body.type).toBe('user');
    expect(me.body.organizations[0].capabilities).toContain('cap:catalog.admin');
  });
});
