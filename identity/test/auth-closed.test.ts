import { describeEachEngine } from '@symbia/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, expectProblem, writesNothing } from './api-support.js';
import { ADMIN, createHarness, type Harness } from './harness.js';
import { decode, sign, userClaims } from './token-forge.js';

/**
 * §2.3 with `IDENTITY_REGISTRATION=closed`, the default `IDENTITY_EMAIL_MODE=disabled`, and the
 * token settings an operator may change: issuer, agent token lifetime, secure cookies.
 */

describeEachEngine('identity auth, registration closed and email disabled', (engine) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(engine, {
      IDENTITY_REGISTRATION: 'closed',
      IDENTITY_EMAIL_MODE: 'disabled',
      IDENTITY_ISSUER: 'acme-identity',
      AGENT_TOKEN_TTL: '3600',
      IDENTITY_SECURE_COOKIES: 'true',
    });
  });
  afterAll(() => h.close());

  describe('registration closed', () => {
    it('answers 403 IDENTITY_REGISTRATION_CLOSED on both paths and writes nothing', async () => {
      await writesNothing(h, async () => {
        for (const path of ['/api/auth/user/register', '/api/auth/register']) {
          const res = await h.http.post(path).send({ email: `late-${path.length}@example.test`, password: 'a-perfectly-good-passphrase', name: 'Late', orgName: 'Late Org' });
          expectProblem(res, 403, 'IDENTITY_REGISTRATION_CLOSED');
          expect(res.headers['set-cookie']).toBeUndefined();
        }
      });
    });

    it('says so in /api/auth/config, and existing accounts still log in', async () => {
      const config = await h.http.get('/api/auth/config');
      expect(config.status).toBe(200);
      expect(config.body.registrationOpen).toBe(false);
      const login = await h.http.post('/api/auth/login').send(ADMIN);
      expect(login.status).toBe(200);
      expect((await h.http.get('/api/auth/me').set(auth(login.body.token))).body.type).toBe('user');
    });
  });

  describe('configured token settings', () => {
    it('uses IDENTITY_ISSUER, AGENT_TOKEN_TTL and Secure cookies', async () => {
      const login = await h.http.post('/api/auth/login').send(ADMIN);
      expect(login.headers['set-cookie']).toEqual([`token=${login.body.token}; HttpOnly; Path=/; SameSite=Lax; Max-Age=604800; Secure`]);
      expect(decode(login.body.token).claims.iss).toBe('acme-identity');
      // A token with the default issuer is someone else's.
      const foreign = sign(h, userClaims(h, login.body.user.id, { iss: 'symbia-identity' }));
      expectProblem(await h.http.get('/api/auth/me').set(auth(foreign)), 401, 'AUTH_INVALID');
      const logout = await h.http.post('/api/auth/logout').set(auth(foreign));
      expect(logout.headers['set-cookie']).toEqual(['token=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0; Secure']);

      const org = await h.http.post('/api/orgs').set(auth(login.body.token)).send({ name: 'Acme', slug: 'acme-agents' });
      expect(org.status).toBe(201);
      const agent = await h.http.post('/api/auth/agent/register').set(auth(login.body.token)).send({ agentId: 'acme-bot', name: 'Acme Bot', orgId: org.body.id });
      expect(agent.status).toBe(201);
      const claims = decode(agent.body.token).claims as { iat: number; exp: number; iss: string };
      expect(claims.exp - claims.iat).toBe(3600);
      expect(claims.iss).toBe('acme-identity');
      expect((await h.http.get('/api/auth/me').set(auth(agent.body.token))).body.type).toBe('agent');
    });
  });

  describe('email disabled', () => {
    it('answers forgot-password identically with emailEnabled:false and creates no reset token', async () => {
      const expected = { message: 'If that account exists, a reset link has been sent.', emailEnabled: false };
      await writesNothing(h, async () => {
        for (const email of [ADMIN.email, 'nobody@example.test']) {
          const res = await h.http.post('/api/auth/forgot-password').send({ email });
          expect(res.status).toBe(200);
          expect(res.body).toEqual(expected);
        }
      });
    });
  });
});
