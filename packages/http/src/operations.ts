import { z } from 'zod';
import type { JsonSchema } from '@symbia/md';
import { aliasOperationId, type RouteRegistry } from './registry.js';
import type { AnyRouteSpec } from './route.js';
import { SHELL_OPERATIONS } from './shell-operations.js';

/**
 * The registry seen as documentation: every operation (aliases included) with its schemas already
 * converted to JSON Schema. OpenAPI, llms.txt and the bootstrap descriptor are all rendered from
 * this one list.
 */

export type BodyMediaType = 'application/json' | 'application/x-www-form-urlencoded';

export interface OperationResponseDoc {
  description: string;
  schema?: JsonSchema;
  contentType?: string;
  /** Response headers worth documenting (`Location` on redirects). */
  headers?: Record<string, { description: string; schema: JsonSchema }>;
}

export interface OperationDoc {
  operationId: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express syntax (`/api/orgs/:orgId`). */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: string;
  params?: JsonSchema;
  query?: JsonSchema;
  headers?: JsonSchema;
  body?: JsonSchema;
  bodyTypes: BodyMediaType[];
  responses: Record<number, OperationResponseDoc>;
  errors: string[];
  /** Set on alias entries: the operation they duplicate. */
  aliasOf?: string;
  /** Set on routes the shell serves outside the registry (health, docs, bootstrap). */
  shell?: boolean;
  /** Set on the conventional docs paths that only redirect to the real docs. */
  redirectTo?: string;
}

/**
 * zod → JSON Schema 2020-12. Requests are described as clients send them (`io: 'input'`: defaults
 * make fields optional), responses as the server produces them. Transforms and other
 * unrepresentable parts become `{}` instead of failing the whole document. A self-contained result:
 * any `$defs` stay inside, and OpenAPI hoists them into components.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

const MEDIA_TYPES: Record<'json' | 'form', BodyMediaType> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

function describeSpec(spec: AnyRouteSpec): OperationDoc {
  const responses: Record<number, OperationResponseDoc> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[Number(status)] = {
      description: r.description,
      ...(r.schema ? { schema: toJsonSchema(r.schema, 'output') } : {}),
      ...(r.contentType ? { contentType: r.contentType } : {}),
    };
  }
  return {
    operationId: spec.operationId,
    method: spec.method,
    path: spec.path,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags ?? [],
    auth: spec.auth,
    ...(spec.params ? { params: toJsonSchema(spec.params, 'input') } : {}),
    ...(spec.query ? { query: toJsonSchema(spec.query, 'input') } : {}),
    ...(spec.headers ? { headers: toJsonSchema(spec.headers, 'input') } : {}),
    ...(spec.body ? { body: toJsonSchema(spec.body, 'input') } : {}),
    bodyTypes: (spec.bodyTypes ?? ['json']).map((t) => MEDIA_TYPES[t]),
    responses,
    errors: spec.errors ?? [],
  };
}

/** Converting every schema is the expensive part of serving docs; do it once per set of routes. */
const cache = new WeakMap<RouteRegistry, { routeCount: number; ops: OperationDoc[] }>();

/** Registered operations, each alias as its own entry with a suffixed id. */
export function describeRegisteredOperations(registry: RouteRegistry): OperationDoc[] {
  const specs = registry.routes();
  const hit = cache.get(registry);
  if (hit && hit.routeCount === specs.length) return hit.ops;
  const ops: OperationDoc[] = [];
  for (const spec of specs) {
    const main = describeSpec(spec);
    ops.push(main);
    (spec.aliases ?? []).forEach((path, i) => {
      ops.push({ ...main, path, operationId: aliasOperationId(spec.operationId, i), aliasOf: spec.operationId });
    });
  }
  cache.set(registry, { routeCount: specs.length, ops });
  return ops;
}

/**
 * Everything the service answers: registered operations plus the shell's own routes (health,
 * metrics, docs, bootstrap), except where a service registered one of those paths itself.
 */
export function describeAllOperations(registry: RouteRegistry): OperationDoc[] {
  const registered = describeRegisteredOperations(registry);
  const taken = new Set(registered.flatMap((op) => [`${op.method} ${op.path}`, op.operationId]));
  return [...registered, ...SHELL_OPERATIONS.filter((op) => !taken.has(`${op.method} ${op.path}`) && !taken.has(op.operationId))];
}

/** Codes an operation documents, plus VALIDATION_FAILED wherever the registry validates something. */
export function problemCodesOf(op: OperationDoc): string[] {
  const validates = !op.shell && (op.params || op.query || op.headers || op.body || op.method !== 'get');
  const codes = validates && !op.errors.includes('VALIDATION_FAILED') ? ['VALIDATION_FAILED', ...op.errors] : op.errors;
  return [...new Set(codes)];
}
