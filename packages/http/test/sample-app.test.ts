import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, createServiceApp, defineRoute } from '../src/index.js';
import { sampleService } from './sample-service.js';

const JSON_TYPE = 'application/json';

describe('sample app: request pipeline', () => {
  const svc = sampleService();
  const app = svc.app;

  it('serves a valid request with ids, security headers and tenancy defaults', async () => {
    const res = await request(app).post('/api/widgets').set('X-Request-Id', 'sample-1').send({ name: 'w', size: 2 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'w', size: 2, env: 'dev' });
    expect(res.headers['x-request-id']).toBe('sample-1');
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('continues a traceparent and keeps a valid X-Trace-Id', async () => {
    const res = await request(app).get('/health/live').set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(res.headers['x-trace-id']).toBe('0af7651916cd43dd8448eb211c80319c');
    const labelled = await request(app).get('/health/live').set('X-Trace-Id', 'trace-abc');
    expect(labelled.headers['x-trace-id']).toBe('trace-abc');
  });

  it('answers a validation failure with 400 and errors[]', async () => {
    const res = await request(app).post('/api/widgets').send({ name: '', size: 1.5, extra: true });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    const paths = (res.body.errors as Array<{ location: string; path: string }>).map((e) => `${e.location}:${e.path}`);
    expect(paths).toEqual(expect.arrayContaining(['body:name', 'body:size']));
    const params = await request(app).get('/api/widgets/not-a-uuid');
    expect(params.status).toBe(400);
    expect(params.body.errors[0].location).toBe('params');
  });

  it('answers a malformed tenancy header with 400 from the beforeRoutes hook', async () => {
    const res = await request(app).get('/api/widgets/3f1b7a1e-0c8b-4b0e-9a52-3a6a0a3f7c11').set('X-Data-Class', 'top-secret');
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ location: 'headers', path: 'x-data-class' });
  });

  it('answers unknown routes with 404 ROUTE_NOT_FOUND and other methods with 405 + Allow', async () => {
    const missing = await request(app).get('/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.body.code).toBe('ROUTE_NOT_FOUND');
    expect(missing.headers['x-request-id']).toBeDefined();
    const wrong = await request(app).delete('/api/widgets');
    expect(wrong.status).toBe(405);
    expect(wrong.body.code).toBe('METHOD_NOT_ALLOWED');
    expect(wrong.headers.allow).toContain('POST');
    const trace = await request(app).trace('/api/widgets');
    expect(trace.status).toBe(405);
    const shell = await request(app).post('/health');
    expect(shell.status).toBe(405);
    expect(shell.headers.allow).toBe('GET, HEAD');
  });

  it('answers oversized bodies with 413, by Content-Length and while streaming', async () => {
    const big = await request(app).post('/api/widgets').send({ name: 'x'.repeat(400), size: 1 });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(big.headers['x-request-id']).toBeDefined();

    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const streamed = await new Promise<{ status: number; body: { code: string } }>((resolve, reject) => {
        const req = httpRequest(
          { port, host: '127.0.0.1', method: 'POST', path: '/api/widgets', headers: { 'Content-Type': JSON_TYPE, 'Transfer-Encoding': 'chunked' } },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', () => undefined);
        const timer = setInterval(() => {
          if (req.writable) req.write('x'.repeat(64));
        }, 2);
        req.on('response', () => clearInterval(timer));
        req.on('close', () => clearInterval(timer));
        // Generous: under a loaded CI machine the server may take a while to read the first chunks.
        setTimeout(() => reject(new Error('no 413 while streaming')), 10_000);
        req.write('{"name":"');
      });
      expect(streamed.status).toBe(413);
      expect(streamed.body.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('answers bad JSON with 400 MALFORMED_JSON and other content types with 415', async () => {
    const bad = await request(app).post('/api/widgets').set('Content-Type', JSON_TYPE).send('{"name": "w",');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('MALFORMED_JSON');
    const text = await request(app).post('/api/widgets').set('Content-Type', 'text/plain').send('name=w');
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unexpected throw with a 500 that leaks nothing, and logs the fault', async () => {
    const res = await request(app).get('/api/crash');
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.', requestId: res.headers['x-request-id'] });
    expect(res.text).not.toContain('password authentication');
    expect(res.text).not.toContain('/srv/app');
    expect(res.text).not.toMatch(/\bat [\w.<>]+ \(/);
    expect(res.text).not.toContain('.ts:');
    expect(svc.text()).toContain('password authentication failed');
  });

  it('answers a database outage with 503 SERVICE_UNAVAILABLE and Retry-After', async () => {
    const res = await request(app).get('/api/db');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('keeps problem extensions', async () => {
    const res = await request(app).get('/api/forbidden');
    expect(res.status).toBe(403);
    expect(res.body.requiredCapability).toBe('cap:x.y');
  });

  it('applies CORS: allowed origin echoed, other preflights refused, public paths open', async () => {
    const ok = await request(app).options('/api/widgets').set('Origin', 'https://app.example.com').set('Access-Control-Request-Method', 'POST');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const refused = await request(app).options('/api/widgets').set('Origin', 'https://evil.test').set('Access-Control-Request-Method', 'POST');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CORS_ORIGIN_REJECTED');
    expect(refused.headers['x-request-id']).toBeDefined();
    const docs = await request(app).get('/docs/openapi.json').set('Origin', 'https://evil.test');
    expect(docs.status).toBe(200);
    expect(docs.headers['access-control-allow-origin']).toBe('*');
    expect(docs.headers['access-control-allow-credentials']).toBeUndefined();
    expect(Object.keys(docs.body.paths)).toContain('/api/widgets');
    expect(svc.isOriginAllowed('https://app.example.com')).toBe(true);
    expect(svc.isOriginAllowed('http://localhost:3000')).toBe(false);
  });

  it('rate limits with 429 and the X-RateLimit-* headers', async () => {
    const first = await request(app).post('/api/login').expect(200);
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    await request(app).post('/api/login').expect(200);
    const over = await request(app).post('/api/login');
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('RATE_LIMITED');
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.body.retryAfter).toBe(Number(over.headers['retry-after']));
    expect(over.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(over.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
  });

  it('serves the bootstrap descriptor and docs redirects', async () => {
    const res = await request(app).get('/api/bootstrap/service').expect(200);
    expect(res.body).toMatchObject({ service: 'sample', version: '1.2.3', port: 5999, status: 'ok' });
    expect(res.body.endpoints['widgets.create']).toBe('POST /api/widgets');
    const redirect = await request(app).get('/openapi.json');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/docs/openapi.json');
  });

  it('exposes Prometheus metrics by route pattern and problem code', async () => {
    await request(app).get('/api/widgets/3f1b7a1e-0c8b-4b0e-9a52-3a6a0a3f7c11').expect(200);
    const res = await request(app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('http_requests_total{method="GET",route="/api/widgets/:id",status="200",service="sample"}');
    expect(res.text).toMatch(/http_errors_total\{code="INTERNAL_ERROR",service="sample"\} [1-9]/);
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).not.toContain('3f1b7a1e');
  });

  it('logs one redacted line per request', async () => {
    await request(app).get('/api/widgets/3f1b7a1e-0c8b-4b0e-9a52-3a6a0a3f7c11?token=very-secret-token').set('X-Request-Id', 'log-check');
    const line = svc.lines().find((l) => l.requestId === 'log-check' && l.msg === 'request completed');
    expect(line).toMatchObject({ method: 'GET', status: 200 });
    expect(String(line?.url)).toContain('token=[REDACTED]');
    expect(svc.text()).not.toContain('very-secret-token');
  });
});

describe('sample app: health', () => {
  const svc = sampleService();

  it('reports live, ready and health shapes', async () => {
    expect((await request(svc.app).get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await request(svc.app).get('/health/ready').expect(200)).body).toEqual({ status: 'ok', checks: { database: 'ok', network: 'ok' } });
    const health = await request(svc.app).get('/health').expect(200);
    expect(health.body).toMatchObject({ status: 'ok', service: 'sample', version: '1.2.3', checks: { database: 'ok', network: 'ok' } });
  });

  it('turns not ready while the database fails, and ready again once it answers', async () => {
    svc.db.up = false;
    const ready = await request(svc.app).get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({ status: 'unavailable', checks: { database: 'down', network: 'ok' } });
    const health = await request(svc.app).get('/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('unavailable');
    svc.db.up = true;
    await request(svc.app).get('/health/ready').expect(200);
  });

  it('is not ready while draining', async () => {
    svc.drain.draining = true;
    try {
      const ready = await request(svc.app).get('/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.headers.connection).toBe('close');
      expect((await request(svc.app).get('/api/bootstrap/service')).body.status).toBe('draining');
    } finally {
      svc.drain.draining = false;
    }
  });

  it('is never rate limited', async () => {
    for (let i = 0; i < 30; i++) await request(svc.app).get('/health/live').expect(200);
  });
});

describe('sample app: lazy mounting', () => {
  let svc: ReturnType<typeof createServiceApp>;
  beforeAll(() => {
    svc = createServiceApp({
      service: 'late',
      version: '0.0.1',
      description: 'd',
      logger: captureLogger().logger,
      port: 1,
      corsAllowedOrigins: [],
      production: false,
      identityUrl: 'http://127.0.0.1:5001',
      databaseCheck: async () => true,
      defaultMetrics: false,
    });
  });
  afterAll(() => undefined);

  it('mounts routes registered after createServiceApp, and refuses routes after finalize', async () => {
    const route = defineRoute({
      method: 'get',
      path: '/api/late',
      operationId: 'late',
      summary: 'Registered late',
      auth: 'none',
      responses: { 200: { description: 'ok' } },
      handler: () => ({ late: true }),
    });
    svc.registry.add(route);
    await request(svc.app).get('/api/late').expect(200, { late: true });
    expect(() => svc.registry.add({ ...route, operationId: 'later', path: '/api/later' })).toThrow(/finalized/);
  });
});
