import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDocsRouter, type DocsRouterOptions } from './docs-routes.js';
import { createRouteRegistry } from './registry.js';
import { defineRoute } from './route.js';

const registry = createRouteRegistry({ service: 'logging', name: 'Symbia Logging', version: '1.0.0', description: 'Logs, metrics and traces.' }).addAll([
  defineRoute({
    method: 'post', path: '/api/logs/ingest', operationId: 'logs.ingest', summary: 'Ingest log entries', auth: 'cap:logging.write',
    aliases: ['/api/ingest'],
    body: z.strictObject({ entries: z.array(z.strictObject({ level: z.enum(['info', 'error']), message: z.string().max(10_000) })).max(1000) }),
    responses: { 202: { description: 'Accepted', schema: z.object({ accepted: z.number().int() }) } },
    errors: ['RATE_LIMITED'],
    handler: () => ({ accepted: 0 }),
  }),
  defineRoute({
    method: 'get', path: '/api/logs/:logId', operationId: 'logs.get', summary: 'Get a log entry', auth: 'org:viewer',
    params: z.object({ logId: z.uuid() }),
    responses: { 200: { description: 'The entry' } },
    handler: () => ({}),
  }),
]);

const options: DocsRouterOptions = {
  port: 5002,
  status: () => 'ok',
  identityUrl: 'http://identity:5001/',
  socket: { path: '/socket.io', clientEvents: ['logs:subscribe'], serverEvents: [{ name: 'logs:entry', description: 'A new entry' }] },
  optionalDependencies: ['identity', 'network'],
  limits: { bodyBytes: 5 * 1024 * 1024, pageMax: 200 },
};

const app = express().use(createDocsRouter(registry, options));

describe('docs routes', () => {
  it('serves the OpenAPI document with a public CORS header', async () => {
    const res = await request(app).get('/docs/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/api/logs/{logId}'].get.operationId).toBe('logs.get');
  });

  it('serves llms.txt as UTF-8 text with one line per endpoint', async () => {
    const res = await request(app).get('/docs/llms.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.text).toContain('# Symbia Logging');
    expect(res.text).toContain('> Logs, metrics and traces.');
    expect(res.text).toContain('http://identity:5001/api/auth/introspect');
    expect(res.text).toContain('- POST /api/logs/ingest — Ingest log entries (auth: cap:logging.write)');
    expect(res.text).toContain('- POST /api/ingest — Ingest log entries (auth: cap:logging.write)');
    expect(res.text).toContain('- GET /api/logs/:logId — Get a log entry (auth: org:viewer)');
    expect(res.text).toContain('- GET /health/ready — ');
    expect(res.text).toContain('- GET /api/bootstrap/service — ');
  });

  it('serves llms-full.txt with fields, socket events and the error catalog', async () => {
    const res = await request(app).get('/docs/llms-full.txt');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.text).toContain('### POST /api/logs/ingest');
    expect(res.text).toContain('  - entries: array of object, ≤ 1000 items, required');
    expect(res.text).toContain('    - level: one of "info" | "error", required');
    expect(res.text).toContain('  - logId: string (uuid), required');
    expect(res.text).toContain('      - accepted: integer');
    expect(res.text).toContain('Errors (application/problem+json): VALIDATION_FAILED (400), RATE_LIMITED (429)');
    expect(res.text).toContain('- logs:entry — A new entry');
    expect(res.text).toContain('- 503 DEPENDENCY_UNAVAILABLE — Dependency unavailable');
  });

  it.each([
    ['/openapi.json', '/docs/openapi.json'],
    ['/api/openapi.json', '/docs/openapi.json'],
    ['/api/docs/openapi.json', '/docs/openapi.json'],
    ['/.well-known/openapi.json', '/docs/openapi.json'],
    ['/llms.txt', '/docs/llms.txt'],
    ['/llm.txt', '/docs/llms.txt'],
    ['/', '/docs/llms.txt'],
    ['/llms-full.txt', '/docs/llms-full.txt'],
  ])('redirects %s to %s with a 302', async (from, to) => {
    const res = await request(app).get(from).redirects(0);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe(to);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('serves the bootstrap descriptor', async () => {
    const res = await request(app).get('/api/bootstrap/service');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.body).toMatchObject({
      service: 'logging',
      port: 5002,
      status: 'ok',
      auth: { methods: ['bearer', 'apiKey'], identityUrl: 'http://identity:5001', introspectionEndpoint: 'http://identity:5001/api/auth/introspect' },
      socket: { path: '/socket.io', clientEvents: ['logs:subscribe'], serverEvents: ['logs:entry'] },
      endpoints: { 'logs.ingest': 'POST /api/logs/ingest', 'logs.ingest.alias1': 'POST /api/ingest', 'logs.get': 'GET /api/logs/:logId' },
    });
  });

  it('leaves every other path to the next router', async () => {
    const withNext = express().use(createDocsRouter(registry, options)).use((_req, res) => { res.status(404).json({ next: true }); });
    const res = await request(withNext).get('/api/logs/1');
    expect(res.body).toEqual({ next: true });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
