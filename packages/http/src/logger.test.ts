import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { redactUrl, requestLogger, scrubSecrets } from './logger.js';
import { requestContext } from './request-context.js';
import { captureLogger } from './test-support.js';

const SECRETS = ['hunter2-pass', 'cur-pass-1', 'new-pass-2', 'tok-abc', 'acc-tok', 'ref-tok', 'sek-ret', 'api-key-9', 'cred-7', 'key-value-3', 'Bearer-jwt-xyz', 'cookie-val', 'x-api-key-val'];

describe('redactUrl', () => {
  it('replaces credential query values and keeps the rest as sent', () => {
    expect(redactUrl('/api/x?token=abc&limit=5&access_token=def&apiKey=g&api_key=h&password=i&secret=j&q=a%20b#frag')).toBe(
      '/api/x?token=[REDACTED]&limit=5&access_token=[REDACTED]&apiKey=[REDACTED]&api_key=[REDACTED]&password=[REDACTED]&secret=[REDACTED]&q=a%20b#frag',
    );
    expect(redactUrl('/plain/path')).toBe('/plain/path');
    expect(redactUrl('/x?%74oken=abc')).toBe('/x?%74oken=[REDACTED]');
    expect(redactUrl('/x?TOKEN=abc&tokenish=1')).toBe('/x?TOKEN=[REDACTED]&tokenish=1');
  });
});

describe('scrubSecrets', () => {
  it('censors secret-named keys at any depth and survives cycles', () => {
    const cyclic: Record<string, unknown> = { name: 'a' };
    cyclic.self = cyclic;
    const out = scrubSecrets({ a: { b: [{ c: { password: 'p', ok: 1 } }] }, Token: 't', cyclic }) as any;
    expect(out.a.b[0].c).toEqual({ password: '[REDACTED]', ok: 1 });
    expect(out.Token).toBe('[REDACTED]');
    expect(out.cyclic.self).toBe('[Circular]');
  });
});

describe('createLogger', () => {
  it('never writes secrets, whatever their depth or place', () => {
    const { logger, text, lines } = captureLogger();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer Bearer-jwt-xyz', cookie: 'token=cookie-val', 'x-api-key': 'x-api-key-val', accept: 'json' } },
        user: { password: 'hunter2-pass', currentPassword: 'cur-pass-1', newPassword: 'new-pass-2' },
        deep: { a: { b: { c: { token: 'tok-abc', accessToken: 'acc-tok', refreshToken: 'ref-tok' } } } },
        list: [{ secret: 'sek-ret' }, { apiKey: 'api-key-9', credential: 'cred-7', key: 'key-value-3' }],
        url: '/api/login?token=tok-abc&x=1',
      },
      'hello',
    );
    const out = text();
    for (const s of SECRETS) expect(out).not.toContain(s);
    const [line] = lines();
    expect(line).toMatchObject({ service: 'test', level: 'info', msg: 'hello', url: '/api/login?token=[REDACTED]&x=1' });
    expect((line as any).req.headers.accept).toBe('json');
  });
});

describe('requestLogger', () => {
  it('logs one line per request with ids, redacted url, status and duration, and no body', async () => {
    const { logger, lines, text } = captureLogger();
    const app = express();
    app.use(requestContext({ logger }), requestLogger(), express.json());
    app.post('/api/login', (_req, res) => {
      res.status(201).json({ ok: true });
    });
    await request(app)
      .post('/api/login?access_token=acc-tok&page=2')
      .set('X-Request-Id', 'req-1')
      .set('Authorization', 'Bearer Bearer-jwt-xyz')
      .send({ password: 'hunter2-pass' })
      .expect(201);
    const logged = lines().filter((l) => l.msg === 'request completed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ method: 'POST', url: '/api/login?access_token=[REDACTED]&page=2', status: 201, requestId: 'req-1' });
    expect(typeof logged[0]!.traceId).toBe('string');
    expect(typeof logged[0]!.durationMs).toBe('number');
    for (const s of SECRETS) expect(text()).not.toContain(s);
  });
});
