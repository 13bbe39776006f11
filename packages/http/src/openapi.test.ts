import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineProblemCodes } from './errors.js';
import { buildOpenApiDocument } from './openapi.js';
import { createRouteRegistry } from './registry.js';
import { defineRoute } from './route.js';
import { emailSchema, paginationQuery, uuidParam } from './schemas.js';

defineProblemCodes({ TEST_WIDGET_NOT_FOUND: { status: 404, title: 'Widget not found' } });

const Widget = z.object({ id: z.uuid(), name: z.string(), size: z.number().int().default(1) }).meta({ id: 'Widget' });
interface TreeNode { name: string; children: TreeNode[] }
const TreeNode: z.ZodType<TreeNode> = z.object({ name: z.string(), get children() { return z.array(TreeNode); } });

function makeRegistry() {
  return createRouteRegistry({ service: 'widgets', name: 'Symbia Widgets', version: '1.2.3', description: 'Widgets for tests' }).addAll([
    defineRoute({
      method: 'get', path: '/api/widgets', operationId: 'widgets.list', summary: 'List widgets', tags: ['widgets'], auth: 'org:viewer',
      query: paginationQuery.extend({ q: z.string().max(100).optional().describe('Search text') }),
      headers: z.object({ 'x-org-id': z.uuid().optional(), authorization: z.string().optional() }),
      responses: { 200: { description: 'A page', schema: z.object({ widgets: z.array(Widget), nextCursor: z.string().nullable() }) } },
      handler: () => ({ widgets: [], nextCursor: null }),
    }),
    defineRoute({
      method: 'post', path: '/api/widgets', operationId: 'widgets.create', summary: 'Create a widget', tags: ['widgets'], auth: 'cap:widgets.write',
      description: 'Creates a widget in the selected org.',
      body: z.strictObject({ name: z.string().min(1).max(50), size: z.number().int().default(1), owner: emailSchema.optional() }),
      bodyTypes: ['json', 'form'],
      responses: { 201: { description: 'Created', schema: Widget } },
      errors: ['FORBIDDEN', 'RATE_LIMITED'],
      handler: () => ({}),
    }),
    defineRoute({
      method: 'get', path: '/api/widgets/:widgetId', operationId: 'widgets.get', summary: 'Get a widget', auth: 'any',
      aliases: ['/api/gadgets/:widgetId'],
      params: uuidParam('widgetId'),
      responses: { 200: { description: 'The widget', schema: Widget } },
      errors: ['TEST_WIDGET_NOT_FOUND'],
      handler: () => ({}),
    }),
    defineRoute({
      method: 'put', path: '/api/widgets/:widgetId/tree', operationId: 'widgets.tree.put', summary: 'Replace the tree', auth: 'any',
      body: z.strictObject({ root: TreeNode }),
      responses: { 200: { description: 'The tree', schema: TreeNode } },
      handler: () => ({}),
    }),
    defineRoute({
      method: 'delete', path: '/api/widgets/:widgetId', operationId: 'widgets.delete', summary: 'Delete', auth: 'org:admin',
      responses: { 204: { description: 'Deleted' } },
      handler: () => undefined,
    }),
    defineRoute({
      method: 'post', path: '/api/widgets/:widgetId/export', operationId: 'widgets.export', summary: 'Export', auth: 'any',
      responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
      handler: () => '',
    }),
  ]);
}

type Doc = Record<string, any>;

describe('buildOpenApiDocument', () => {
  const registry = makeRegistry();
  const doc = buildOpenApiDocument(registry, { serverUrl: 'http://localhost:5099' }) as Doc;

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every registered route, each alias, and the shell routes', () => {
    const listed = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m.toUpperCase()} ${path}`));
    for (const spec of registry.routes()) {
      for (const path of [spec.path, ...(spec.aliases ?? [])]) {
        expect(listed).toContain(`${spec.method.toUpperCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
      }
    }
    for (const shell of ['GET /health', 'GET /health/live', 'GET /health/ready', 'GET /metrics', 'GET /docs/openapi.json', 'GET /docs/llms.txt', 'GET /docs/llms-full.txt', 'GET /api/bootstrap/service', 'GET /openapi.json', 'GET /']) {
      expect(listed).toContain(shell);
    }
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item as Doc).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/api/gadgets/{widgetId}'].get).toMatchObject({ operationId: 'widgets.get.alias1', 'x-alias-of': 'widgets.get' });
  });

  it('carries info, servers, security schemes and the Problem schema', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Symbia Widgets', version: '1.2.3', description: 'Widgets for tests' });
    expect(doc.servers).toEqual([{ url: 'http://localhost:5099' }]);
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      apiKeyAuth: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
      cookieAuth: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'token' }),
    });
    expect(Object.keys(doc.components.schemas.Problem.properties)).toEqual(['type', 'title', 'status', 'detail', 'code', 'requestId', 'errors']);
    expect(doc['x-problem-codes']).toEqual(expect.arrayContaining([
      { code: 'VALIDATION_FAILED', status: 400, title: 'Request validation failed' },
      { code: 'TEST_WIDGET_NOT_FOUND', status: 404, title: 'Widget not found' },
    ]));
  });

  it('describes parameters from the params, query and header schemas', () => {
    const list = doc.paths['/api/widgets'].get;
    expect(list.parameters).toEqual([
      { name: 'limit', in: 'query', required: false, description: expect.stringContaining('clamped'), schema: expect.objectContaining({ type: 'integer', default: 50 }) },
      { name: 'cursor', in: 'query', required: false, description: expect.any(String), schema: { type: 'string', maxLength: 2048 } },
      { name: 'q', in: 'query', required: false, description: 'Search text', schema: { type: 'string', maxLength: 100 } },
      { name: 'x-org-id', in: 'header', required: false, schema: expect.objectContaining({ format: 'uuid' }) },
    ]);
    expect(doc.paths['/api/widgets/{widgetId}'].get.parameters).toEqual([
      { name: 'widgetId', in: 'path', required: true, schema: expect.objectContaining({ type: 'string', format: 'uuid' }) },
    ]);
    expect(doc.paths['/api/widgets/{widgetId}'].delete.parameters).toEqual([{ name: 'widgetId', in: 'path', required: true, schema: { type: 'string' } }]);
  });

  it('describes request bodies in every accepted media type', () => {
    const body = doc.paths['/api/widgets'].post.requestBody;
    expect(body.required).toBe(true);
    expect(Object.keys(body.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    const schema = body.content['application/json'].schema;
    expect(schema).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
    expect(schema.properties.size).toMatchObject({ type: 'integer', default: 1 });
    expect(schema.properties.owner).toMatchObject({ type: 'string', format: 'email' });
  });

  it('describes responses, problem responses and x-problem-codes', () => {
    const create = doc.paths['/api/widgets'].post;
    expect(create.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Widget' });
    expect(create.responses['403'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    expect(create.responses['429'].description).toContain('RATE_LIMITED');
    expect(create.responses.default).toEqual({ $ref: '#/components/responses/Problem' });
    expect(create['x-problem-codes']).toEqual(['VALIDATION_FAILED', 'FORBIDDEN', 'RATE_LIMITED']);
    expect(create['x-auth']).toBe('cap:widgets.write');
    expect(doc.paths['/api/widgets/{widgetId}'].get.responses['404'].description).toContain('TEST_WIDGET_NOT_FOUND');
    expect(doc.paths['/api/widgets/{widgetId}'].delete.responses['204']).toEqual({ description: 'Deleted' });
    expect(doc.paths['/api/widgets/{widgetId}/export'].post.responses['200'].content).toEqual({ 'text/csv': {} });
  });

  it('moves shared and recursive definitions into components with working references', () => {
    expect(doc.components.schemas.Widget).toMatchObject({ type: 'object', required: ['id', 'name', 'size'] });
    const tree = doc.paths['/api/widgets/{widgetId}/tree'].put;
    const root = tree.requestBody.content['application/json'].schema.properties.root;
    expect(root.$ref).toMatch(/^#\/components\/schemas\/widgets\.tree\.put\.body\./);
    const response = tree.responses['200'].content['application/json'].schema;
    expect(response).toEqual({ $ref: '#/components/schemas/widgets.tree.put.response200' });
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const target = ref.slice(8, -1);
      expect(target.startsWith('#/components/')).toBe(true);
      const [, , kind, name] = target.split('/');
      expect(doc.components[kind!][name!], target).toBeDefined();
    }
  });

  it('marks auth-free operations and leaves the others to the document-level schemes', () => {
    expect(doc.security).toEqual([{ bearerAuth: [] }, { apiKeyAuth: [] }, { cookieAuth: [] }]);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/api/widgets'].get.security).toBeUndefined();
  });

  it('keeps a named schema used both as input and output under distinct names', () => {
    const both = createRouteRegistry({ service: 's', name: 'S', version: '1', description: 'd' }).add(defineRoute({
      method: 'post', path: '/api/w', operationId: 'w.create', summary: 'Create', auth: 'any',
      body: z.object({ w: Widget }), responses: { 200: { description: 'ok', schema: z.object({ w: Widget }) } }, handler: () => ({}),
    }));
    const d = buildOpenApiDocument(both) as Doc;
    const bodyRef = d.paths['/api/w'].post.requestBody.content['application/json'].schema.properties.w.$ref;
    const responseRef = d.paths['/api/w'].post.responses['200'].content['application/json'].schema.properties.w.$ref;
    expect(bodyRef).not.toBe(responseRef);
    const named = (ref: string) => d.components.schemas[ref.split('/').pop()!];
    expect(named(bodyRef).required).toEqual(['id', 'name']);
    expect(named(responseRef).required).toEqual(['id', 'name', 'size']);
  });

  it('is refused by the validator when broken, so the validity check means something', async () => {
    const broken = structuredClone(doc);
    broken.paths['/api/widgets'].get.responses = { 200: { content: {} } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('is cached per registry and rebuilt when routes are added', () => {
    expect(buildOpenApiDocument(registry, { serverUrl: 'http://localhost:5099' })).toBe(doc);
    registry.add(defineRoute({ method: 'get', path: '/api/late', operationId: 'late', summary: 'Late', auth: 'none', responses: { 200: { description: 'ok' } }, handler: () => ({}) }));
    const rebuilt = buildOpenApiDocument(registry, { serverUrl: 'http://localhost:5099' }) as Doc;
    expect(rebuilt).not.toBe(doc);
    expect(rebuilt.paths['/api/late']).toBeDefined();
  });
});
