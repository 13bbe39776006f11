import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pino, { type DestinationStream, type Logger } from 'pino';
import { elapsedMs, logLevelEnabled } from './request-context.js';

export const REDACTED = '[REDACTED]';

/**
 * Key names whose values never reach a log line, whatever object they sit in. Compared in lower
 * case so `Password`, `API_KEY` and `apiKey` are all caught.
 */
const SECRET_KEYS = new Set(
  [
    'password', 'currentPassword', 'newPassword', 'token', 'accessToken', 'refreshToken', 'secret', 'apiKey',
    'credential', 'key', 'access_token', 'refresh_token', 'api_key', 'client_secret', 'clientSecret',
    'authorization', 'cookie', 'set-cookie', 'x-api-key',
  ].map((k) => k.toLowerCase()),
);

/** Query parameters that can carry a credential; their values are replaced before a URL is logged. */
const SECRET_QUERY_PARAMS = new Set(['token', 'access_token', 'apikey', 'api_key', 'password', 'secret', 'refresh_token', 'client_secret']);

/**
 * Fixed paths are handled by pino's redaction (cheap, covers header objects from serializers);
 * the deep scrub below catches the same names at any depth in whatever a caller logs.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers["x-api-key"]',
];

const MAX_SCRUB_DEPTH = 8;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Copies `value` with secret-named keys censored. Only plain objects and arrays are walked: class
 * instances (errors, buffers) keep their own serializers. Depth is bounded and cycles are cut so a
 * hostile or accidental structure cannot make logging expensive.
 */
export function scrubSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_SCRUB_DEPTH) return Array.isArray(value) || isPlainObject(value) ? '[Truncated]' : value;
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((item) => scrubSecrets(item, depth + 1, seen));
  }
  if (!isPlainObject(value)) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_KEYS.has(k.toLowerCase())) out[k] = REDACTED;
    else if (k === 'url' && typeof v === 'string') out[k] = redactUrl(v);
    else out[k] = scrubSecrets(v, depth + 1, seen);
  }
  return out;
}

function decodeQueryName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * Replaces the values of credential-bearing query parameters. Done piece by piece instead of through
 * URLSearchParams so the rest of the URL is logged exactly as the client sent it.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const query = hash === -1 ? url.slice(q + 1) : url.slice(q + 1, hash);
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    if (!SECRET_QUERY_PARAMS.has(decodeQueryName(name).toLowerCase())) return part;
    return `${name}=${REDACTED}`;
  });
  return `${url.slice(0, q)}?${parts.join('&')}${hash === -1 ? '' : url.slice(hash)}`;
}

export interface CreateLoggerOptions {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read the output back. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      serializers: { err: pino.stdSerializers.err, url: (u: unknown) => (typeof u === 'string' ? redactUrl(u) : u) },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => scrubSecrets(obj) as Record<string, unknown>,
      },
    },
    options.destination,
  );
}

/**
 * One line per request once the response is done (or the client went away). Bodies are never
 * logged; the request and trace ids come from the child logger of the request context.
 */
export function requestLogger(options: { quietPaths?: readonly string[] } = {}): RequestHandler {
  // Probes and scrapes arrive every few seconds; successful ones are logged at debug only.
  const quiet = new Set(options.quietPaths ?? ['/health/live', '/health/ready', '/metrics']);
  return (req: Request, res: Response, next: NextFunction) => {
    let logged = false;
    const done = (aborted: boolean) => {
      if (logged) return;
      logged = true;
      const status = aborted && !res.headersSent ? 499 : res.statusCode;
      const level = status >= 500 ? 'error' : status < 400 && quiet.has(req.path) ? 'debug' : 'info';
      if (!logLevelEnabled(req, level)) return;
      const line: Record<string, unknown> = {
        method: req.method,
        url: redactUrl(req.originalUrl),
        status,
        durationMs: Math.round(elapsedMs(req) * 10) / 10,
      };
      const code = res.locals.problemCode as string | undefined;
      if (code) line.code = code;
      if (aborted && !res.writableFinished) line.aborted = true;
      req.ctx.log[level](line, 'request completed');
    };
    res.on('finish', () => done(false));
    res.on('close', () => done(true));
    next();
  };
}
