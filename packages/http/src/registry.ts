import type { Request, RequestHandler, Response, Router } from 'express';
import type { AnyRouteSpec, HttpMethod } from './route.js';
import { BODY_METHODS, validateRequest } from './validate.js';

/**
 * The route registry: every `/api/*` operation of a service is declared once (a `RouteSpec`) and
 * this is where Express routes, request validation, the 405 `Allow` answer and the generated docs
 * all come from, so none of them can disagree with the others.
 */

export const DEFAULT_ROUTE_BODY_LIMIT = 1_048_576;

export interface ServiceInfo {
  /** Service id (`logging`). */
  service: string;
  /** Human name (`Symbia Logging`). */
  name: string;
  version: string;
  description: string;
}

export interface JsonBodyFactoryOptions {
  limit: number;
  types: Array<'json' | 'form'>;
}

export interface MountDeps {
  /** Per-route body parser (413 / 415 / MALFORMED_JSON); injected so the registry stays parser-agnostic. */
  jsonBody: (options: JsonBodyFactoryOptions) => RequestHandler;
}

export interface RouteRegistry {
  readonly info: ServiceInfo;
  add(spec: AnyRouteSpec): RouteRegistry;
  addAll(specs: Iterable<AnyRouteSpec>): RouteRegistry;
  /** Every registered spec, in registration order. */
  routes(): readonly AnyRouteSpec[];
  /** Upper-case methods served at `path` (HEAD with GET), or undefined when no route matches it. */
  allowedMethods(path: string): string[] | undefined;
  /** Installs every route (and its aliases) on `router`. */
  mount(router: Router, deps: MountDeps): void;
}

type Segment = { kind: 'literal'; text: string } | { kind: 'param' } | { kind: 'rest' };

interface Pattern {
  method: HttpMethod;
  segments: Segment[];
}

/** Alias operations get stable ids of their own, for OpenAPI (which needs them unique) and the descriptor. */
export function aliasOperationId(operationId: string, index: number): string {
  return `${operationId}.alias${index + 1}`;
}

const PARAM = /^[:*][A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Only whole-segment `:name` parameters and a final `*name` wildcard are accepted. Express's
 * richer syntax (optional groups, `:a-:b`) would make `allowedMethods` disagree with the router,
 * so it is refused when the route is registered rather than misbehaving at request time.
 */
function compilePath(path: string): Segment[] {
  if (!path.startsWith('/')) throw new Error(`route path must start with "/": ${path}`);
  const parts = splitPath(path);
  return parts.map((part, i) => {
    if (part.startsWith(':') || part.startsWith('*')) {
      if (!PARAM.test(part)) throw new Error(`unsupported path parameter "${part}" in ${path}`);
      if (part.startsWith('*') && i !== parts.length - 1) throw new Error(`a wildcard must be the last segment: ${path}`);
      return part.startsWith(':') ? { kind: 'param' } : { kind: 'rest' };
    }
    if (/[{}()?+*:]/.test(part)) throw new Error(`unsupported path syntax "${part}" in ${path}`);
    return { kind: 'literal', text: part.toLowerCase() };
  });
}

/** Express routing is case-insensitive and ignores one trailing slash; so is the matching here. */
function splitPath(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

/** `/a/:id` and `/a/:key` are the same route to Express: parameter names do not distinguish them. */
function routeKey(method: HttpMethod, segments: Segment[]): string {
  return `${method} /${segments.map((s) => (s.kind === 'literal' ? s.text : s.kind === 'param' ? ':' : '*')).join('/')}`;
}

function matches(segments: Segment[], parts: string[]): boolean {
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (seg.kind === 'rest') return parts.length > i;
    const part = parts[i];
    if (part === undefined || part === '') return false;
    if (seg.kind === 'literal' && seg.text !== part.toLowerCase()) return false;
  }
  return parts.length === segments.length;
}

/**
 * Calls the spec's handler with the validated request parts. A returned value is sent as JSON with
 * whatever status the handler set (200 unless it chose 201/202…); a handler that answered itself
 * returns nothing. A rejected promise reaches the error middleware through Express 5.
 */
function wrapHandler(spec: AnyRouteSpec): RequestHandler {
  return async (req: Request, res: Response) => {
    const { params, query, body } = req.valid;
    const result = await spec.handler({ params, query, body, req, res });
    if (res.headersSent) return;
    if (result !== undefined) res.json(result);
    else if (res.statusCode === 204) res.end();
  };
}

export function createRouteRegistry(info: ServiceInfo): RouteRegistry {
  const specs: AnyRouteSpec[] = [];
  const operationIds = new Set<string>();
  const routeKeys = new Set<string>();
  const patterns: Pattern[] = [];

  const registry: RouteRegistry = {
    info,
    add(spec) {
      const paths = [spec.path, ...(spec.aliases ?? [])];
      const ids = [spec.operationId, ...(spec.aliases ?? []).map((_, i) => aliasOperationId(spec.operationId, i))];
      for (const id of ids) {
        if (operationIds.has(id)) throw new Error(`duplicate operationId "${id}"`);
      }
      const compiled = paths.map((p) => compilePath(p));
      const keys = compiled.map((segments) => routeKey(spec.method, segments));
      for (const [i, key] of keys.entries()) {
        if (routeKeys.has(key) || keys.indexOf(key) !== i) {
          throw new Error(`duplicate route ${spec.method.toUpperCase()} ${paths[i]} (operation "${spec.operationId}")`);
        }
      }
      ids.forEach((id) => operationIds.add(id));
      keys.forEach((key) => routeKeys.add(key));
      compiled.forEach((segments) => patterns.push({ method: spec.method, segments }));
      specs.push(spec);
      return registry;
    },
    addAll(list) {
      for (const spec of list) registry.add(spec);
      return registry;
    },
    routes() {
      return specs;
    },
    allowedMethods(path) {
      const parts = splitPath(path);
      const methods = new Set<string>();
      for (const p of patterns) {
        if (!matches(p.segments, parts)) continue;
        methods.add(p.method.toUpperCase());
        if (p.method === 'get') methods.add('HEAD');
      }
      return methods.size === 0 ? undefined : [...methods].sort();
    },
    mount(router, deps) {
      for (const spec of specs) {
        // Guards (who may call) run before the body is read: an anonymous or unauthorized caller
        // learns nothing about the body schema and never makes the server parse a large body.
        const chain: RequestHandler[] = [...(spec.guards ?? [])];
        if (BODY_METHODS.has(spec.method)) {
          chain.push(deps.jsonBody({ limit: spec.bodyLimit ?? DEFAULT_ROUTE_BODY_LIMIT, types: spec.bodyTypes ?? ['json'] }));
        }
        chain.push(validateRequest(spec), ...(spec.middleware ?? []), wrapHandler(spec));
        for (const path of [spec.path, ...(spec.aliases ?? [])]) router[spec.method](path, ...chain);
      }
    },
  };
  return registry;
}
