import type { JsonSchema } from '@symbia/md';
import { allProblemCodes, problemCodeInfo } from './errors.js';
import { describeAllOperations, problemCodesOf, type OperationDoc } from './operations.js';
import type { RouteRegistry } from './registry.js';
import { PROBLEM_SCHEMA, SECURITY_SCHEMES, SchemaComponents, toOpenApiPath } from './openapi-schemas.js';

/**
 * The OpenAPI 3.1 document of a service, generated from the same registry that validates requests
 * (outline §1.3). Schemas are JSON Schema 2020-12, OpenAPI 3.1's own dialect, so zod's output is
 * used as is; only `$defs` move into `components.schemas`.
 */

export type OpenApiDocument = Record<string, unknown> & { openapi: '3.1.0'; paths: Record<string, Record<string, unknown>> };

export interface OpenApiOptions {
  serverUrl?: string;
}

const PROBLEM_CONTENT = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };

function parameters(op: OperationDoc, components: SchemaComponents): unknown[] {
  const out: Array<Record<string, unknown>> = [];
  const templateNames = [...op.path.matchAll(/[:*]([A-Za-z_$][A-Za-z0-9_$]*)/g)].map((m) => m[1]!);
  const sources: Array<['path' | 'query' | 'header', JsonSchema | undefined]> = [
    ['path', op.params],
    ['query', op.query],
    ['header', op.headers],
  ];
  for (const [location, raw] of sources) {
    if (!raw) continue;
    const schema = components.embed(raw, `${op.operationId}.${location}`);
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    for (const [name, prop] of Object.entries(props)) {
      // OpenAPI ignores these as header parameters: they are described by content and security.
      if (location === 'header' && ['accept', 'content-type', 'authorization'].includes(name.toLowerCase())) continue;
      if (location === 'path' && !templateNames.includes(name)) continue;
      const { description, ...rest } = prop;
      out.push({
        name,
        in: location,
        required: location === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      });
    }
  }
  // Every template parameter must be declared, even on a route that did not give it a schema.
  for (const name of templateNames) {
    if (!out.some((p) => p.in === 'path' && p.name === name)) out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  return out;
}

function requestBody(op: OperationDoc, components: SchemaComponents): Record<string, unknown> | undefined {
  if (!op.body || op.method === 'get') return undefined;
  const schema = components.embed(op.body, `${op.operationId}.body`);
  const content: Record<string, unknown> = {};
  for (const type of op.bodyTypes) content[type] = { schema };
  // A body with no required field may be omitted: the server reads an empty body as `{}`.
  const required = Array.isArray(schema.required) && schema.required.length > 0;
  return { required, content };
}

function responses(op: OperationDoc, codes: string[], components: SchemaComponents): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const entry: Record<string, unknown> = { description: r.description };
    if (r.schema || r.contentType) {
      const schema = r.schema ? components.embed(r.schema, `${op.operationId}.response${status}`) : undefined;
      entry.content = { [r.contentType ?? 'application/json']: schema ? { schema } : {} };
    }
    if (r.headers) entry.headers = r.headers;
    out[status] = entry;
  }
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const info = problemCodeInfo(code);
    if (info) byStatus.set(info.status, [...(byStatus.get(info.status) ?? []), code]);
  }
  for (const [status, list] of byStatus) {
    if (String(status) in out) continue;
    out[status] = { description: list.map((c) => `${c}: ${problemCodeInfo(c)!.title}`).join('; '), content: PROBLEM_CONTENT };
  }
  if (!op.shell) out.default = { $ref: '#/components/responses/Problem' };
  return out;
}

function operation(op: OperationDoc, components: SchemaComponents): Record<string, unknown> {
  const codes = problemCodesOf(op);
  const body = requestBody(op, components);
  return {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(op.tags.length > 0 ? { tags: op.tags } : {}),
    parameters: parameters(op, components),
    ...(body ? { requestBody: body } : {}),
    responses: responses(op, codes, components),
    // `none` routes need no credential; the others take any of the document-level schemes.
    ...(op.auth === 'none' ? { security: [] } : {}),
    'x-auth': op.auth,
    ...(op.aliasOf ? { 'x-alias-of': op.aliasOf } : {}),
    'x-problem-codes': codes,
  };
}

function build(registry: RouteRegistry, options: OpenApiOptions): OpenApiDocument {
  const components = new SchemaComponents({ Problem: PROBLEM_SCHEMA });
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const op of describeAllOperations(registry)) {
    const path = toOpenApiPath(op.path);
    paths[path] ??= {};
    paths[path][op.method] = operation(op, components);
    op.tags.forEach((t) => tags.add(t));
  }
  const { info } = registry;
  return {
    openapi: '3.1.0',
    info: { title: info.name, version: info.version, description: info.description, 'x-service': info.service },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: [...tags].sort().map((name) => ({ name })),
    security: Object.keys(SECURITY_SCHEMES).map((name) => ({ [name]: [] })),
    paths,
    components: {
      schemas: components.schemas,
      responses: { Problem: { description: 'RFC 9457 problem details', content: PROBLEM_CONTENT } },
      securitySchemes: SECURITY_SCHEMES,
    },
    'x-problem-codes': [...allProblemCodes()].map(([code, { status, title }]) => ({ code, status, title })),
  };
}

/**
 * Served on every `/docs/openapi.json`, so built once per registry and rebuilt only when routes or
 * problem codes were added since (both registries only ever grow).
 */
const cache = new WeakMap<RouteRegistry, Map<string, { stamp: string; doc: OpenApiDocument }>>();

export function buildOpenApiDocument(registry: RouteRegistry, options: OpenApiOptions = {}): OpenApiDocument {
  const stamp = `${registry.routes().length}/${allProblemCodes().size}`;
  const perServer = cache.get(registry) ?? new Map();
  cache.set(registry, perServer);
  const key = options.serverUrl ?? '';
  const hit = perServer.get(key);
  if (hit && hit.stamp === stamp) return hit.doc;
  const doc = build(registry, options);
  perServer.set(key, { stamp, doc });
  return doc;
}
