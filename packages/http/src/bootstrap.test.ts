import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildServiceDescriptor, TENANCY_HEADERS } from './bootstrap.js';
import { createRouteRegistry } from './registry.js';
import { defineRoute } from './route.js';

const registry = createRouteRegistry({ service: 'catalog', name: 'Symbia Catalog', version: '1.0.0', description: 'Versioned resources.' }).add(
  defineRoute({
    method: 'get', path: '/api/resources/:id', operationId: 'resources.get', summary: 'Get', auth: 'any',
    aliases: ['/api/r/:id'], params: z.object({ id: z.uuid() }),
    responses: { 200: { description: 'ok' } }, handler: () => ({}),
  }),
);

describe('buildServiceDescriptor', () => {
  let status = 'ok';
  const descriptor = () => buildServiceDescriptor(registry, {
    port: 5003,
    status: () => status,
    identityUrl: 'http://localhost:5001',
    socket: null,
    optionalDependencies: ['identity', 'network', 'logging'],
    limits: { bodyBytes: 16 * 1024 * 1024, pageMax: 200 },
  });

  it('has the shape of outline §1.3', () => {
    const d = descriptor();
    expect(Object.keys(d)).toEqual([
      'service', 'name', 'version', 'description', 'port', 'status', 'docsUrls', 'auth', 'tenancyHeaders', 'endpoints', 'socket', 'dependencies', 'limits',
    ]);
    expect(d).toMatchObject({
      service: 'catalog',
      name: 'Symbia Catalog',
      version: '1.0.0',
      description: 'Versioned resources.',
      port: 5003,
      status: 'ok',
      docsUrls: { openapi: '/docs/openapi.json', llms: '/docs/llms.txt', llmsFull: '/docs/llms-full.txt' },
      auth: { methods: ['bearer', 'apiKey'], identityUrl: 'http://localhost:5001', introspectionEndpoint: 'http://localhost:5001/api/auth/introspect' },
      tenancyHeaders: ['X-Org-Id', 'X-Service-Id', 'X-Env', 'X-Data-Class', 'X-Policy-Ref'],
      socket: null,
      dependencies: { required: ['database'], optional: ['identity', 'network', 'logging'] },
      limits: { bodyBytes: 16 * 1024 * 1024, pageMax: 200 },
    });
    expect(d.tenancyHeaders).toEqual([...TENANCY_HEADERS]);
  });

  it('maps every operation, aliases and shell routes included, to "METHOD /path"', () => {
    const { endpoints } = descriptor();
    expect(endpoints['resources.get']).toBe('GET /api/resources/:id');
    expect(endpoints['resources.get.alias1']).toBe('GET /api/r/:id');
    expect(endpoints['health.ready']).toBe('GET /health/ready');
    expect(endpoints['bootstrap.service']).toBe('GET /api/bootstrap/service');
    expect(endpoints['docs.openapi']).toBe('GET /docs/openapi.json');
  });

  it('reads the status on every call', () => {
    status = 'draining';
    expect(descriptor().status).toBe('draining');
  });
});
