import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { HttpProblem } from './errors.js';
import { MemoryRateLimitStore, type RateLimitStore, type WindowCount } from './rate-limit-store.js';

export * from './rate-limit-store.js';

export interface RateLimitResult {
  /** For `hit`: this hit is within the limit. For `peek`: one more hit would be. */
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch ms when the window ends. */
  resetAt: number;
  /** Whole seconds until the window ends, at least 1. */
  retryAfterSeconds: number;
}

export interface RateLimiterOptions {
  /** Names the limit in keys and logs: `login.ip`, `ingest.org`. */
  name: string;
  limit: number;
  windowMs?: number;
  /** The counted identity (IP, principal, org…). `undefined` skips the limiter for that request. */
  key: (req: Request) => string | undefined;
  store?: RateLimitStore;
  /** `SYMBIA_RATE_LIMIT_SCALE`: multiplies the limit (benchmarks run with a large factor). */
  scale?: number;
  /** Used for fail-open warnings outside a request; inside one, the request logger is used. */
  logger?: Logger;
  /** A store slower than this is treated as failed (the request goes through). */
  storeTimeoutMs?: number;
}

export interface RateLimiter extends RequestHandler {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  /** Count one hit for `key`. Identity counts only failed logins this way. */
  hit(key: string, log?: Logger): Promise<RateLimitResult>;
  /** Where `key` stands without counting. */
  peek(key: string, log?: Logger): Promise<RateLimitResult>;
  reset(key: string, log?: Logger): Promise<void>;
}

export function scaledLimit(limit: number, scale = 1): number {
  return Math.max(1, Math.floor(limit * scale));
}

function storeKey(name: string, key: string): string {
  // Hashed so emails and addresses never sit in Redis as plain text, and key length stays fixed.
  return `${name}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`rate limit store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function setRateLimitHeaders(res: Response, result: RateLimitResult): void {
  res.setHeader('X-RateLimit-Limit', String(result.limit));
  res.setHeader('X-RateLimit-Remaining', String(result.remaining));
  res.setHeader('X-RateLimit-Reset', String(Math.ceil(result.resetAt / 1000)));
}

/** The 429 of outline §1.7; identity throws it for locked accounts after `peek`. */
export function rateLimitedProblem(result: RateLimitResult, detail = 'Too many requests; retry later'): HttpProblem {
  return new HttpProblem('RATE_LIMITED', {
    detail,
    extensions: { retryAfter: result.retryAfterSeconds },
    headers: {
      'Retry-After': String(result.retryAfterSeconds),
      'X-RateLimit-Limit': String(result.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': String(Math.ceil(result.resetAt / 1000)),
    },
  });
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const limit = scaledLimit(options.limit, options.scale);
  const store = options.store ?? new MemoryRateLimitStore();
  const storeTimeoutMs = options.storeTimeoutMs ?? 500;

  const toResult = (w: WindowCount | undefined, counted: boolean): RateLimitResult => {
    const now = Date.now();
    const count = w?.count ?? 0;
    const resetAt = w ? Math.max(w.resetAt, now) : now + windowMs;
    return {
      allowed: counted ? count <= limit : count < limit,
      limit,
      remaining: Math.max(0, limit - count),
      resetAt,
      retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  };

  // A limiter must never take the service down: when the store fails, the request goes through.
  const failOpen = (err: unknown, log: Logger | undefined): RateLimitResult => {
    (log ?? options.logger)?.warn(
      { rateLimit: options.name, err: { message: err instanceof Error ? err.message : String(err) } },
      'rate limit store failed; allowing the request',
    );
    return toResult(undefined, true);
  };

  const hit = async (key: string, log?: Logger) => {
    try {
      return toResult(await withTimeout(store.increment(storeKey(options.name, key), windowMs), storeTimeoutMs), true);
    } catch (err) {
      return failOpen(err, log);
    }
  };
  const peek = async (key: string, log?: Logger) => {
    try {
      return toResult(await withTimeout(store.get(storeKey(options.name, key)), storeTimeoutMs), false);
    } catch (err) {
      return failOpen(err, log);
    }
  };
  const reset = async (key: string, log?: Logger) => {
    try {
      await withTimeout(store.reset(storeKey(options.name, key)), storeTimeoutMs);
    } catch (err) {
      failOpen(err, log);
    }
  };

  const middleware = async (req: Request, res: Response, next: NextFunction) => {
    const key = options.key(req);
    if (key === undefined) return next();
    const result = await hit(key, req.ctx?.log);
    if (!result.allowed) return next(rateLimitedProblem(result));
    setRateLimitHeaders(res, result);
    next();
  };

  // `name` of a function is read-only but configurable; the limiter's name doubles as the middleware's.
  Object.defineProperty(middleware, 'name', { value: options.name });
  return Object.assign(middleware, { limit, windowMs, hit, peek, reset }) as RateLimiter;
}

/** Client address as Express resolved it under the `trust proxy` setting (socket address when unset). */
export function clientIpKey(req: Request): string | undefined {
  return req.ip ?? req.socket.remoteAddress;
}
