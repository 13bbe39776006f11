import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createCors, createOriginPolicy, isOriginAllowed } from './cors.js';
import { problemHandler } from './problem-middleware.js';
import { requestContext } from './request-context.js';
import { securityHeaders } from './security-headers.js';
import { captureLogger } from './test-support.js';

describe('origin policy', () => {
  const prod = createOriginPolicy({ allowedOrigins: ['https://app.symbia.dev', 'https://*.example.com', 'http://*.local.test:8080'], production: true });

  it('matches exact origins case-insensitively', () => {
    expect(prod('https://app.symbia.dev')).toBe(true);
    expect(prod('HTTPS://APP.SYMBIA.DEV')).toBe(true);
    expect(prod('https://app.symbia.dev:443')).toBe(true);
    expect(prod('http://app.symbia.dev')).toBe(false);
    expect(prod('https://app.symbia.dev.evil.com')).toBe(false);
    expect(prod('https://app.symbia.dev/path')).toBe(false);
  });

  it('matches one wildcard label, never more, never a look-alike', () => {
    expect(prod('https://a.example.com')).toBe(true);
    expect(prod('https://example.com')).toBe(false);
    expect(prod('https://a.b.example.com')).toBe(false);
    expect(prod('https://evil-example.com')).toBe(false);
    expect(prod('https://a.example.com.evil.com')).toBe(false);
    expect(prod('https://a.example.com:444')).toBe(false);
    expect(prod('http://a.example.com')).toBe(false);
    expect(prod('http://x.local.test:8080')).toBe(true);
    expect(prod('http://x.local.test')).toBe(false);
  });

  it('rejects null, missing and wildcard-looking origins', () => {
    expect(prod('null')).toBe(false);
    expect(prod(undefined)).toBe(false);
    expect(prod('https://*.example.com')).toBe(false);
    expect(prod('https://user@a.example.com')).toBe(false);
  });

  it('allows localhost on any port only outside production, and never a bare *', () => {
    expect(prod('http://localhost:5173')).toBe(false);
    expect(isOriginAllowed('http://localhost:5173', { allowedOrigins: [], production: false })).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:3000', { allowedOrigins: [], production: false })).toBe(true);
    expect(isOriginAllowed('http://localhost', { allowedOrigins: [], production: false })).toBe(true);
    expect(isOriginAllowed('https://localhost:5173', { allowedOrigins: [], production: false })).toBe(false);
    expect(isOriginAllowed('https://anything.com', { allowedOrigins: ['*'], production: true })).toBe(false);
  });
});

function app() {
  const { logger } = captureLogger();
  const a = express();
  a.disable('x-powered-by');
  a.use(requestContext({ logger }), securityHeaders(), createCors({ allowedOrigins: ['https://*.example.com'], production: true }));
  a.get('/api/things', (_req, res) => {
    res.json({ ok: true });
  });
  a.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  a.use(problemHandler({ logger }));
  return a;
}

describe('createCors', () => {
  it('echoes an allowed origin with credentials and Vary: Origin', async () => {
    const res = await request(app()).get('/api/things').set('Origin', 'https://app.example.com').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
    expect(res.headers['access-control-expose-headers']).toContain('X-RateLimit-Reset');
  });

  it('sends no CORS grant to another origin', async () => {
    const res = await request(app()).get('/api/things').set('Origin', 'https://evil.com').expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('answers an allowed preflight with 204 and the header lists', async () => {
    const res = await request(app())
      .options('/api/things')
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type,x-org-id');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-allow-headers']).toContain('X-Org-Id');
    expect(res.headers['access-control-allow-headers']).toContain('traceparent');
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('refuses a preflight from another origin with 403 CORS_ORIGIN_REJECTED', async () => {
    const res = await request(app()).options('/api/things').set('Origin', 'https://evil.com').set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('CORS_ORIGIN_REJECTED');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves public paths to any origin with * and without credentials', async () => {
    const res = await request(app()).get('/health/live').set('Origin', 'https://evil.com').expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    const pre = await request(app()).options('/docs/openapi.json').set('Origin', 'https://evil.com').set('Access-Control-Request-Method', 'GET');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('securityHeaders', () => {
  it('sets nosniff, frame and referrer headers and drops X-Powered-By', async () => {
    const res = await request(app()).get('/api/things');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
