import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpProblem } from './errors.js';

export const CORS_ALLOWED_HEADERS = [
  'Content-Type', 'Authorization', 'X-API-Key', 'X-Org-Id', 'X-Service-Id', 'X-Env', 'X-Environment', 'X-Data-Class',
  'X-Policy-Ref', 'X-Request-Id', 'X-Trace-Id', 'traceparent', 'tracestate',
];
export const CORS_EXPOSED_HEADERS = [
  'X-Request-Id', 'X-Trace-Id', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset',
];
export const CORS_ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Paths any page may read: no credentials are involved, so `*` is safe there. */
const PUBLIC_EXACT = new Set([
  '/', '/health', '/api/bootstrap/service', '/openapi.json', '/api/openapi.json', '/api/docs/openapi.json',
  '/.well-known/openapi.json', '/llms.txt', '/llm.txt', '/llms-full.txt',
]);

export function isPublicCorsPath(path: string): boolean {
  return PUBLIC_EXACT.has(path) || path.startsWith('/health/') || path === '/docs' || path.startsWith('/docs/');
}

export interface CorsOptions {
  /** From `CORS_ALLOWED_ORIGINS`: exact origins or `https://*.example.com` patterns. */
  allowedOrigins: readonly string[];
  /** Outside production, `http://localhost:*` and `http://127.0.0.1:*` are allowed as well. */
  production: boolean;
}

interface OriginParts {
  scheme: string;
  labels: string[];
  port: string;
}

const DEV_PATTERNS = ['http://localhost:*', 'http://127.0.0.1:*'];

/**
 * Splits `scheme://host[:port]` by hand. A real origin has no path, userinfo, query or fragment;
 * anything with them is not an origin and never matches. `*` stays a literal label or port here.
 */
function splitOrigin(value: string): OriginParts | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/:?#@\s]+)(?::(\d{1,5}|\*))?$/.exec(value.trim().toLowerCase());
  if (!m) return undefined;
  const [, scheme = '', host = '', port] = m;
  const labels = host.split('.');
  if (labels.some((l) => l === '')) return undefined;
  return { scheme, labels, port: port ?? (scheme === 'https' ? '443' : scheme === 'http' ? '80' : '') };
}

/**
 * Pattern match without building a regex from configuration or user input: same scheme, same
 * number of labels, each label equal or a `*` in the pattern (one label, never a dot), port equal
 * or `*`. So `https://*.example.com` accepts `https://app.example.com` but neither
 * `https://example.com`, `https://a.b.example.com` nor `https://evil-example.com`.
 */
function matches(pattern: OriginParts, origin: OriginParts): boolean {
  if (pattern.scheme !== origin.scheme) return false;
  if (pattern.port !== '*' && pattern.port !== origin.port) return false;
  if (pattern.labels.length !== origin.labels.length) return false;
  for (let i = 0; i < pattern.labels.length; i++) {
    const p = pattern.labels[i]!;
    if (p !== '*' && p !== origin.labels[i]) return false;
  }
  return true;
}

/** Builds the allow-list check shared by CORS, the CSRF check of cookie auth and socket handshakes. */
export function createOriginPolicy(options: CorsOptions): (origin: string | undefined) => boolean {
  const entries = [...options.allowedOrigins, ...(options.production ? [] : DEV_PATTERNS)];
  // A bare `*` would mean "every site, with credentials": never honoured.
  const patterns = entries.filter((e) => e.trim() !== '*').map(splitOrigin).filter((p): p is OriginParts => p !== undefined);
  return (origin) => {
    if (!origin) return false;
    const parts = splitOrigin(origin);
    if (!parts || parts.labels.includes('*') || parts.port === '*') return false;
    return patterns.some((p) => matches(p, parts));
  };
}

export function isOriginAllowed(origin: string | undefined, options: CorsOptions): boolean {
  return createOriginPolicy(options)(origin);
}

export type CorsMiddleware = RequestHandler & { isOriginAllowed: (origin: string | undefined) => boolean };

function isPreflight(req: Request): boolean {
  return req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
}

function writePreflight(res: Response): void {
  res.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS.join(', '));
  res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(', '));
  res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  res.status(204).end();
}

const EXPOSED = CORS_EXPOSED_HEADERS.join(', ');

export function createCors(options: CorsOptions): CorsMiddleware {
  const allowed = createOriginPolicy(options);
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    // Only a browser sends Origin, and only a browser reads the exposed-headers list.
    if (origin !== undefined) res.setHeader('Access-Control-Expose-Headers', EXPOSED);
    if (isPublicCorsPath(req.path)) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      if (isPreflight(req)) return writePreflight(res);
      return next();
    }
    // Whatever the origin, the answer depends on it: shared caches must key on it.
    res.vary('Origin');
    if (origin === undefined) return next();
    if (allowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      if (isPreflight(req)) return writePreflight(res);
      return next();
    }
    if (isPreflight(req)) {
      return next(new HttpProblem('CORS_ORIGIN_REJECTED', { detail: 'This origin may not call the API from a browser' }));
    }
    // A simple request from another origin is served without CORS headers: the browser hides the answer.
    next();
  };
  return Object.assign(middleware, { isOriginAllowed: allowed });
}
