import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHttpMetrics } from './metrics.js';
import { requestContext } from './request-context.js';
import { captureLogger } from './test-support.js';

function app(defaultMetrics = false) {
  const metrics = createHttpMetrics({ service: 'catalog', defaultMetrics });
  const a = express();
  a.use(requestContext({ logger: captureLogger().logger }), metrics.middleware, metrics.router);
  const api = express.Router();
  api.get('/api/resources/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  a.use(api);
  a.use((_req, res) => {
    metrics.recordProblem('ROUTE_NOT_FOUND');
    res.status(404).end();
  });
  return { app: a, metrics };
}

describe('createHttpMetrics', () => {
  it('counts by route pattern, not raw url, and by problem code', async () => {
    const { app: a } = app();
    await request(a).get('/api/resources/11111111-1111-4111-8111-111111111111').expect(200);
    await request(a).get('/api/resources/22222222-2222-4222-8222-222222222222').expect(200);
    await request(a).get('/nope/123').expect(404);
    const res = await request(a).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('http_requests_total{method="GET",route="/api/resources/:id",status="200",service="catalog"} 2');
    expect(res.text).toContain('route="unmatched",status="404"');
    expect(res.text).toContain('http_request_duration_seconds_bucket');
    expect(res.text).toContain('http_errors_total{code="ROUTE_NOT_FOUND",service="catalog"} 1');
    expect(res.text).not.toContain('11111111-1111');
  });

  it('keeps separate registries per app and exposes process metrics', async () => {
    const one = app(true);
    const two = app(true);
    await request(one.app).get('/api/resources/x').expect(200);
    const text = await two.metrics.registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('route="/api/resources/:id"');
  });
});
