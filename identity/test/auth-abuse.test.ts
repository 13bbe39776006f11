import { describeEachEngine } from '@symbia/db/testing';
import type { Response } from 'supertest';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiKeyHeader, auth, expectProblem, scenario } from './api-support.js';
import { ADMIN, createHarness, SERVICE_SECRETS, type Harness } from './harness.js';

/**
 * Abuse resistance of the §2.3 auth endpoints: uniform login failures (same answer, same bcrypt work),
 * the §1.7 rate limits, and §2.1's "no secret in any response, log line or audit entry". bcrypt runs
 * at cost 8 here so that its work dominates a request and timing differences are measurable.
 */

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const withoutRequestId = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });

function expectRateLimited(res: Response, limit: number, windowSeconds: number) {
  expectProblem(res, 429, 'RATE_LIMITED');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(res.body.retryAfter).toBe(retryAfter);
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe('0');
  const reset = Number(res.headers['x-ratelimit-reset']);
  const now = Date.now() / 1000;
  expect(reset).toBeGreaterThan(now);
  expect(reset).toBeLessThanOrEqual(now + windowSeconds + 1);
}

describeEachEngine('identity auth abuse resistance', (engine) => {
  let h: Harness;
  let s: ReturnType<typeof scenario>;

  beforeAll(async () => {
    h = await createHarness(engine, { IDENTITY_BCRYPT_COST: '8' });
    s = scenario(h);
  });
  afterAll(() => h.close());
  beforeEach(() => h.resetRateLimits());

  describe('login failures are indistinguishable', () => {
    it('unknown email, wrong password and disabled user: same status, same body, same bcrypt work', async () => {
      const known = await s.register();
      const disabled = await s.register();
      const sa = await s.admin();
      expect((await h.http.patch(`/api/admin/users/${disabled.user.id}`).set(auth(sa)).send({ isActive: false })).status).toBe(200);
      const attempts = {
        unknown: { email: `ghost-${s.unique()}@example.test`, password: 'whatever-passphrase' },
        wrongPassword: { email: known.email, password: 'not-the-right-passphrase' },
        disabled: { email: disabled.email, password: disabled.password },
      };
      const bodies: Record<string, unknown> = {};
      for (const [name, body] of Object.entries(attempts)) {
        const res = await h.http.post('/api/auth/login').send(body);
        expectProblem(res, 401, 'IDENTITY_CREDENTIALS_INVALID');
        bodies[name] = withoutRequestId(res.body);
      }
      expect(bodies.wrongPassword).toEqual(bodies.unknown);
      expect(bodies.disabled).toEqual(bodies.unknown);

      // One bcrypt verification in-process, as the yardstick.
      const hash = await h.deps.passwords.hash('yardstick-passphrase');
      const reference: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await h.deps.passwords.verify('another-passphrase', hash);
        reference.push(performance.now() - t);
      }
      const times: Record<string, number[]> = { unknown: [], wrongPassword: [], disabled: [] };
      for (let round = 0; round < 5; round++) {
        for (const [name, body] of Object.entries(attempts)) {
          const t = performance.now();
          const res = await h.http.post('/api/auth/login').send(body);
          times[name]!.push(performance.now() - t);
          expect(res.status).toBe(401);
        }
      }
      const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
      const bcrypt = median(reference);
      for (const [name, ms] of Object.entries(medians)) {
        expect(ms, `${name}: ${ms.toFixed(1)} ms against one bcrypt verify of ${bcrypt.toFixed(1)} ms`).toBeGreaterThanOrEqual(bcrypt / 2);
      }
      const values = Object.values(medians);
      expect(Math.max(...values) / Math.min(...values), JSON.stringify({ medians, bcrypt })).toBeLessThan(3);
    });
  });

  describe('rate limits (§1.7)', () => {
    it('login: 30 per minute per client IP, X-Forwarded-For ignored, shared by user and agent login', async () => {
      const u = await s.register();
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      await h.resetRateLimits();
      for (let i = 0; i < 30; i++) {
        const path = i % 2 === 0 ? '/api/auth/login' : '/api/auth/user/login';
        const res = await h.http.post(path).set('x-forwarded-for', `203.0.113.${i + 1}`).send({ email: `nobody-${i}-${s.unique()}@example.test`, password: 'wrong-passphrase' });
        expect(res.status).toBe(401);
        expect(res.headers['x-ratelimit-limit']).toBe('30');
        expect(res.headers['x-ratelimit-remaining']).toBe(String(29 - i));
      }
      const blocked = await h.http.post('/api/auth/login').set('x-forwarded-for', '198.51.100.7').send({ email: u.email, password: u.password });
      expectRateLimited(blocked, 30, 60);
      expectRateLimited(await h.http.post('/api/auth/user/login').send({ username: u.email, password: u.password }), 30, 60);
      expectRateLimited(await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: agent.credential }), 30, 60);
      // Validation failures are still answered as such (the limiter counts well-formed attempts).
      expectProblem(await h.http.post('/api/auth/login').send({ email: 'x' }), 400, 'VALIDATION_FAILED');
    });

    it('ten failed attempts lock the account: the 11th is 429 even with the right password', async () => {
      const u = await s.register();
      const bystander = await s.register();
      for (let i = 0; i < 10; i++) {
        expectProblem(await h.http.post('/api/auth/login').send({ email: i % 2 ? u.email : u.email.toUpperCase(), password: `wrong-${i}-passphrase` }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      }
      expectRateLimited(await h.http.post('/api/auth/login').send({ email: u.email, password: u.password }), 10, 15 * 60);
      expectRateLimited(await h.http.post('/api/auth/user/login').send({ username: ` ${u.email.toUpperCase()}`, password: u.password }), 10, 15 * 60);
      // Another account from the same address is unaffected.
      expect((await h.http.post('/api/auth/login').send({ email: bystander.email, password: bystander.password })).status).toBe(200);
    });

    it('ten failed agent logins lock the agent id', async () => {
      const admin = await s.orgAdmin();
      const agent = await s.agent(admin.token, admin.orgId);
      const other = await s.agent(admin.token, admin.orgId);
      await h.resetRateLimits();
      for (let i = 0; i < 10; i++) {
        expectProblem(await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: `agc_${String(i).repeat(64)}` }), 401, 'IDENTITY_CREDENTIALS_INVALID');
      }
      expectRateLimited(await h.http.post('/api/auth/agent/login').send({ agentId: agent.agent.agentId, credential: agent.credential }), 10, 15 * 60);
      expect((await h.http.post('/api/auth/agent/login').send({ agentId: other.agent.agentId, credential: other.credential })).status).toBe(200);
    });

    it('register: 10 per hour per IP', async () => {
      for (let i = 0; i < 10; i++) {
        const res = await h.http
          .post(i % 2 ? '/api/auth/register' : '/api/auth/user/register')
          .set('x-forwarded-for', `203.0.113.${i + 1}`)
          .send({ email: `burst-${i}-${s.unique()}@example.test`, password: 'burst-of-registrations', name: 'Burst' });
        expect(res.status).toBe(201);
        expect(res.headers['x-ratelimit-limit']).toBe('10');
        expect(res.headers['x-ratelimit-remaining']).toBe(String(9 - i));
      }
      const blocked = await h.http.post('/api/auth/register').set('x-forwarded-for', '198.51.100.9').send({ email: `burst-x-${s.unique()}@example.test`, password: 'burst-of-registrations', name: 'Burst' });
      expectRateLimited(blocked, 10, 3600);
    });

    it('forgot-password: 5 per hour per email, 10 per minute per IP, answers unchanged below the limits', async () => {
      const u = await s.register();
      for (let i = 0; i < 5; i++) {
        const res = await h.http.post('/api/auth/forgot-password').send({ email: i % 2 ? u.email : u.email.toUpperCase() });
        expect(res.status).toBe(200);
        expect(res.body.emailEnabled).toBe(true);
      }
      const perEmail = await h.http.post('/api/auth/forgot-password').send({ email: u.email });
      expectRateLimited(perEmail, 5, 3600);
      for (let i = 0; i < 4; i++) {
        expect((await h.http.post('/api/auth/forgot-password').send({ email: `other-${i}-${s.unique()}@example.test` })).status).toBe(200);
      }
      expectRateLimited(await h.http.post('/api/auth/forgot-password').set('x-forwarded-for', '198.51.100.3').send({ email: `fresh-${s.unique()}@example.test` }), 10, 60);
    });
  });

  describe('no secret in any response, log line or audit entry (§2.1 guard)', () => {
    it('passwords, hashes, salts, keys, service secrets, credentials and reset tokens stay out', async () => {
      const answered: string[] = [];
      const keep = (res: Response) => {
        answered.push(res.text ?? '', JSON.stringify(res.headers));
        return res;
      };
      const oneTimeOnly = (res: Response, field: string) => {
        keep({ ...res, text: JSON.stringify({ ...res.body, [field]: undefined }) } as Response);
        return res;
      };
      const password1 = 'first-secret-passphrase-1';
      const password2 = 'second-secret-passphrase-2';
      const password3 = 'third-secret-passphrase-3';
      const agentCredential = `supplied-agent-credential-${'q'.repeat(16)}`;

      const reg = keep(await h.http.post('/api/auth/register').send({ email: `secretive-${s.unique()}@example.test`, password: password1, name: 'Secretive', orgName: `Secret Org ${s.unique()}` }));
      expect(reg.status).toBe(201);
      const email = reg.body.user.email as string;
      const orgId = reg.body.user.organizations[0].id as string;
      keep(await h.http.post('/api/auth/login').send({ email, password: `${password1}-wrong` }));
      const login = keep(await h.http.post('/api/auth/login').send({ email, password: password1 }));
      const token = login.body.token as string;
      const keyRes = oneTimeOnly(await h.http.post('/api/api-keys').set(auth(token)).send({ name: 'secret test', orgId }), 'key');
      const apiKey = keyRes.body.key as string;
      const suppliedAgent = keep(await h.http.post('/api/auth/agent/register').set(auth(token)).send({ agentId: `sec-${s.unique()}`, name: 'Sec', orgId, credential: agentCredential }));
      expect(suppliedAgent.status).toBe(201);
      const generatedAgent = oneTimeOnly(await h.http.post('/api/auth/agent/register').set(auth(token)).send({ agentId: `gen-${s.unique()}`, name: 'Gen', orgId }), 'credential');
      const generatedCredential = generatedAgent.body.credential as string;
      keep(await h.http.post('/api/auth/agent/login').send({ agentId: suppliedAgent.body.agent.agentId, credential: agentCredential }));
      const svc = keep(await h.http.post('/api/auth/service/token').send({ serviceId: 'logging', secret: SERVICE_SECRETS.logging }));
      keep(await h.http.post('/api/auth/service/token').set('authorization', `Basic ${Buffer.from(`network:${SERVICE_SECRETS.network}`).toString('base64')}`));
      const sa = (await h.http.post('/api/auth/login').send(ADMIN)).body.token as string;
      const account = oneTimeOnly(await h.http.post('/api/admin/service-accounts').set(auth(sa)).send({ serviceId: `sec-svc-${s.unique()}`.slice(0, 32).replace(/[^a-z0-9-]/g, 'x') }), 'secret');
      const serviceSecret = account.body.secret as string;
      keep(await h.http.get('/api/auth/me').set(apiKeyHeader(apiKey)));
      keep(await h.http.get('/api/auth/me').set(auth(token)));
      keep(await h.http.get(`/api/auth/me?token=${token}&api_key=${apiKey}&access_token=${token}&apiKey=${apiKey}`));
      keep(await h.http.post('/api/auth/introspect').set(auth(svc.body.token)).send({ token: apiKey }));
      keep(await h.http.post('/api/auth/introspect').set(auth(svc.body.token)).type('form').send({ token }));
      keep(await h.http.post('/api/auth/verify-api-key').set(auth(svc.body.token)).send({ apiKey }));
      keep(await h.http.get('/api/users/me').set(auth(token)));
      keep(await h.http.get('/api/api-keys').set(auth(token)));
      keep(await h.http.post('/api/auth/forgot-password').send({ email }));
      const outbox = await h.http.get('/api/admin/email-outbox').set(auth(sa));
      const mail = (outbox.body.messages as Array<{ to: string; body: string }>).find((m) => m.to === email)!;
      const resetToken = /(?:^|\s)([A-Za-z0-9_-]{43})(?:\s|$)/.exec(mail.body)![1]!;
      keep(await h.http.post('/api/auth/reset-password').send({ token: resetToken, password: 'password123' }));
      keep(await h.http.post('/api/auth/reset-password').send({ token: resetToken, password: password2 }));
      const relogin = keep(await h.http.post('/api/auth/login').send({ email, password: password2 }));
      keep(await h.http.post('/api/users/me/password').set(auth(relogin.body.token)).send({ currentPassword: password2, newPassword: password3 }));
      keep(await h.http.post('/api/users/me/password').set(auth(relogin.body.token)).send({ currentPassword: password1, newPassword: password3 }));

      const stored = await h.deps.database.query<Record<string, string>>(
        `SELECT password_hash AS v FROM identity.users
         UNION ALL SELECT key_hash FROM identity.api_keys UNION ALL SELECT salt FROM identity.api_keys
         UNION ALL SELECT secret_hash FROM identity.service_accounts UNION ALL SELECT salt FROM identity.service_accounts
         UNION ALL SELECT credential_hash FROM identity.agents UNION ALL SELECT token_hash FROM identity.password_resets`,
      );
      const storedSecrets = stored.rows.map((r) => r.v!);
      expect(storedSecrets.length).toBeGreaterThan(10);
      // Passwords and agent credentials are bcrypt at the configured cost.
      const hashes = await h.deps.database.query<{ v: string }>(`SELECT password_hash AS v FROM identity.users WHERE email = $1 UNION ALL SELECT credential_hash FROM identity.agents`, [email]);
      for (const { v } of hashes.rows) expect(v).toMatch(/^\$2b\$08\$/);
      const plaintext = {
        password1, password2, password3, agentCredential, generatedCredential, serviceSecret, resetToken, apiKey,
        ...Object.fromEntries(Object.entries(SERVICE_SECRETS).map(([k, v]) => [`service secret ${k}`, v])),
      };
      const audit = JSON.stringify((await h.deps.database.query('SELECT * FROM identity.audit_logs')).rows);
      const logs = h.logText();
      const responses = answered.join('\n');
      expect(logs.length).toBeGreaterThan(1000);

      for (const [where, text] of Object.entries({ responses, logs, audit })) {
        expect({ where, bcrypt: text.includes('$2b$') || text.includes('$2a$') }).toEqual({ where, bcrypt: false });
        for (const secret of storedSecrets) expect({ where, leaked: text.includes(secret) ? secret : null }).toEqual({ where, leaked: null });
        for (const [name, secret] of Object.entries(plaintext)) {
          // The API key is shown to its owner in no other response than its creation (checked with `key` removed).
          expect({ where, name, leaked: text.includes(secret) }).toEqual({ where, name, leaked: false });
        }
      }
      // Bearer tokens and the X-API-Key header are never logged, not even through the query string.
      for (const credential of [token, relogin.body.token as string, svc.body.token as string, sa]) {
        expect(logs.includes(credential)).toBe(false);
      }
      expect(logs).toContain('[REDACTED]');
    });
  });
});
