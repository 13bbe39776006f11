import type { JsonSchema } from '@symbia/md';
import type { OperationDoc } from './operations.js';

/**
 * Routes every service serves from the shell rather than from its registry (outline §1.2–§1.3).
 * They are listed here so the OpenAPI document, llms.txt and the descriptor describe the whole
 * surface a client can call, not only `/api/*`.
 */

export const DOCS_PATHS = { openapi: '/docs/openapi.json', llms: '/docs/llms.txt', llmsFull: '/docs/llms-full.txt' } as const;

/** The conventional places clients and crawlers look for docs, all pointing at the real ones. */
export const DOCS_REDIRECTS: ReadonlyArray<{ operationId: string; from: string; to: string }> = [
  { operationId: 'docs.redirect.openapiJson', from: '/openapi.json', to: DOCS_PATHS.openapi },
  { operationId: 'docs.redirect.apiOpenapiJson', from: '/api/openapi.json', to: DOCS_PATHS.openapi },
  { operationId: 'docs.redirect.apiDocsOpenapiJson', from: '/api/docs/openapi.json', to: DOCS_PATHS.openapi },
  { operationId: 'docs.redirect.wellKnownOpenapiJson', from: '/.well-known/openapi.json', to: DOCS_PATHS.openapi },
  { operationId: 'docs.redirect.llmsTxt', from: '/llms.txt', to: DOCS_PATHS.llms },
  { operationId: 'docs.redirect.llmTxt', from: '/llm.txt', to: DOCS_PATHS.llms },
  { operationId: 'docs.redirect.root', from: '/', to: DOCS_PATHS.llms },
  { operationId: 'docs.redirect.llmsFullTxt', from: '/llms-full.txt', to: DOCS_PATHS.llmsFull },
];

const checks: JsonSchema = {
  type: 'object',
  description: 'Dependency name → state; always includes `database`',
  additionalProperties: { type: 'string', enum: ['ok', 'down', 'disabled'] },
};

const readiness: JsonSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: { status: { type: 'string', enum: ['ok', 'unavailable'] }, checks },
};

const health: JsonSchema = {
  type: 'object',
  required: ['status', 'service', 'version', 'timestamp', 'uptimeSeconds', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'], description: 'degraded: an optional dependency is down' },
    service: { type: 'string' },
    version: { type: 'string' },
    timestamp: { type: 'string', format: 'date-time' },
    uptimeSeconds: { type: 'integer', minimum: 0 },
    checks,
  },
};

const eventNames: JsonSchema = { type: 'array', items: { type: 'string' } };

const descriptor: JsonSchema = {
  type: 'object',
  required: ['service', 'name', 'version', 'description', 'port', 'status', 'docsUrls', 'auth', 'tenancyHeaders', 'endpoints', 'socket', 'dependencies', 'limits'],
  properties: {
    service: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'string' },
    description: { type: 'string' },
    port: { type: 'integer' },
    status: { type: 'string' },
    docsUrls: {
      type: 'object',
      required: ['openapi', 'llms', 'llmsFull'],
      properties: { openapi: { type: 'string' }, llms: { type: 'string' }, llmsFull: { type: 'string' } },
    },
    auth: {
      type: 'object',
      required: ['methods', 'identityUrl', 'introspectionEndpoint'],
      properties: {
        methods: { type: 'array', items: { type: 'string', enum: ['bearer', 'apiKey'] } },
        identityUrl: { type: 'string' },
        introspectionEndpoint: { type: 'string' },
      },
    },
    tenancyHeaders: { type: 'array', items: { type: 'string' } },
    endpoints: { type: 'object', description: 'operationId → "METHOD /path"', additionalProperties: { type: 'string' } },
    socket: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          required: ['path', 'clientEvents', 'serverEvents'],
          properties: { path: { type: 'string' }, clientEvents: eventNames, serverEvents: eventNames },
        },
      ],
    },
    dependencies: {
      type: 'object',
      required: ['required', 'optional'],
      properties: { required: { type: 'array', items: { type: 'string' } }, optional: { type: 'array', items: { type: 'string' } } },
    },
    limits: {
      type: 'object',
      required: ['bodyBytes', 'pageMax'],
      properties: { bodyBytes: { type: 'integer' }, pageMax: { type: 'integer' } },
    },
  },
};

const text = (description: string) => ({ description, schema: { type: 'string' }, contentType: 'text/plain; charset=utf-8' });

function get(operationId: string, path: string, summary: string, tag: string, responses: OperationDoc['responses']): OperationDoc {
  return { operationId, method: 'get', path, summary, tags: [tag], auth: 'none', bodyTypes: [], responses, errors: [], shell: true };
}

function redirect(operationId: string, path: string, target: string): OperationDoc {
  const op = get(operationId, path, `Redirect to ${target}`, 'docs', {
    302: { description: `Found: see ${target}`, headers: { Location: { description: target, schema: { type: 'string', const: target } } } },
  });
  return { ...op, redirectTo: target };
}

export const SHELL_OPERATIONS: readonly OperationDoc[] = [
  get('health.live', '/health/live', 'Liveness: the process serves HTTP', 'health', {
    200: { description: 'Serving', schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', const: 'ok' } } } },
  }),
  get('health.ready', '/health/ready', 'Readiness: the database answers and the process is not draining', 'health', {
    200: { description: 'Ready', schema: readiness },
    503: { description: 'Not ready (database down or draining)', schema: readiness },
  }),
  get('health.get', '/health', 'Health with dependency checks, version and uptime', 'health', {
    200: { description: 'Healthy or degraded', schema: health },
    503: { description: 'Unavailable, exactly when /health/ready is 503', schema: health },
  }),
  get('metrics.get', '/metrics', 'Prometheus metrics of the process and its HTTP traffic', 'health', {
    200: { ...text('Prometheus text exposition'), contentType: 'text/plain; version=0.0.4; charset=utf-8' },
  }),
  get('docs.openapi', DOCS_PATHS.openapi, 'This OpenAPI 3.1 document', 'docs', {
    200: { description: 'OpenAPI 3.1 document', schema: { type: 'object' } },
  }),
  get('docs.llms', DOCS_PATHS.llms, 'Purpose, auth and one line per endpoint, for LLMs', 'docs', { 200: text('llms.txt') }),
  get('docs.llmsFull', DOCS_PATHS.llmsFull, 'Every endpoint with its fields, socket events and error codes, for LLMs', 'docs', {
    200: text('llms-full.txt'),
  }),
  get('bootstrap.service', '/api/bootstrap/service', 'Service descriptor: docs, auth, endpoints, dependencies, limits', 'docs', {
    200: { description: 'Service descriptor', schema: descriptor },
  }),
  ...DOCS_REDIRECTS.map((r) => redirect(r.operationId, r.from, r.to)),
];
