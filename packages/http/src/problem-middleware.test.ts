import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { HttpProblem } from './errors.js';
import { notFoundHandler, problemHandler } from './problem-middleware.js';
import { requestContext } from './request-context.js';
import { captureLogger } from './test-support.js';

class DbDown extends Error {}

function app() {
  const capture = captureLogger();
  const codes: string[] = [];
  const a = express();
  a.use(requestContext({ logger: capture.logger }));
  a.get('/problem', () => {
    throw new HttpProblem('AUTH_REQUIRED', { headers: { 'WWW-Authenticate': 'Bearer realm="symbia"' } });
  });
  a.get('/validation', () => {
    throw new HttpProblem('VALIDATION_FAILED', { errors: [{ location: 'query', path: 'limit', message: 'too small', code: 'too_small' }] });
  });
  a.get('/crash', () => {
    throw new Error('SELECT * FROM secret_table WHERE password = hunter2');
  });
  a.get('/async-crash', async () => {
    await Promise.resolve();
    throw new TypeError('cannot read properties of undefined (reading "orgId")');
  });
  a.get('/db', () => {
    throw new DbDown('connect ECONNREFUSED 127.0.0.1:5432');
  });
  a.get('/draining', () => {
    throw new HttpProblem('SERVICE_UNAVAILABLE');
  });
  a.get('/too-large', () => {
    throw Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
  });
  a.get('/parse', () => {
    throw Object.assign(new Error('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
  });
  a.get('/things/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  a.get('/late', (_req, res) => {
    res.write('partial');
    throw new Error('after headers');
  });
  const known: Record<string, string[]> = { '/api/items': ['get', 'post'] };
  a.use(notFoundHandler({ allowedMethods: (path) => known[path] }));
  a.use(problemHandler({ logger: capture.logger, isUnavailable: (err) => err instanceof DbDown, onProblem: (c) => codes.push(c) }));
  return { app: a, codes, ...capture };
}

describe('problemHandler', () => {
  it('answers an HttpProblem with its status, headers and problem+json body', async () => {
    const { app: a } = app();
    const res = await request(a).get('/problem').set('X-Request-Id', 'req-7');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="symbia"');
    expect(res.body).toEqual({
      type: 'urn:symbia:problem:AUTH_REQUIRED',
      title: 'Authentication required',
      status: 401,
      detail: 'Authentication required',
      code: 'AUTH_REQUIRED',
      requestId: 'req-7',
    });
  });

  it('keeps errors[] on validation problems', async () => {
    const res = await request(app().app).get('/validation');
    expect(res.body.errors).toEqual([{ location: 'query', path: 'limit', message: 'too small', code: 'too_small' }]);
  });

  it('turns unexpected errors into a generic 500 and logs the real one', async () => {
    const { app: a, text, codes } = app();
    for (const path of ['/crash', '/async-crash']) {
      const res = await request(a).get(path);
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.' });
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      expect(res.text).not.toMatch(/SELECT|secret_table|hunter2|orgId|at |\.ts/);
    }
    expect(text()).toContain('secret_table');
    expect(codes).toEqual(['INTERNAL_ERROR', 'INTERNAL_ERROR']);
  });

  it('maps database outages to 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
    const res = await request(app().app).get('/db');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).not.toContain('ECONNREFUSED');
    const drained = await request(app().app).get('/draining');
    expect(drained.headers['retry-after']).toBe('5');
  });

  it('maps body-parser errors by type', async () => {
    const { app: a } = app();
    expect((await request(a).get('/too-large')).body.code).toBe('PAYLOAD_TOO_LARGE');
    const parse = await request(a).get('/parse');
    expect(parse.status).toBe(400);
    expect(parse.body.code).toBe('MALFORMED_JSON');
  });

  it('answers a bad percent-encoding in a path parameter with 400, not 500', async () => {
    const res = await request(app().app).get('/things/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('destroys the connection when the response had already started', async () => {
    const { app: a } = app();
    await expect(request(a).get('/late')).rejects.toThrow();
  });
});

describe('notFoundHandler', () => {
  it('answers 404 ROUTE_NOT_FOUND as problem+json', async () => {
    const res = await request(app().app).get('/api/nothing');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers 405 with Allow for a known path', async () => {
    const res = await request(app().app).delete('/api/items');
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
    expect(res.headers.allow).toBe('GET, POST, HEAD');
  });

  it('answers TRACE with 405 everywhere', async () => {
    const { app: a } = app();
    expect((await request(a).trace('/api/items')).status).toBe(405);
    const unknown = await request(a).trace('/whatever');
    expect(unknown.status).toBe(405);
    expect(unknown.headers.allow).toBe('');
  });
});
