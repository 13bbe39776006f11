import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACE_ID_HEADER = /^[A-Za-z0-9-]{1,64}$/;
// W3C Trace Context level 1: lower-case hex only, version 00.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO = /^0+$/;
const W3C_TRACE_ID = /^[0-9a-f]{32}$/;

export interface ParsedTraceparent {
  traceId: string;
  parentSpanId: string;
  flags: string;
}

/** Parses a `traceparent` header; an all-zero trace or parent id makes the whole header invalid. */
export function parseTraceparent(value: string | undefined): ParsedTraceparent | undefined {
  if (value === undefined) return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, traceId, parentSpanId, flags] = m as unknown as [string, string, string, string];
  if (ALL_ZERO.test(traceId) || ALL_ZERO.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId, flags };
}

// randomUUID draws from a cached entropy pool; randomBytes makes a system call per id, which showed
// up as ~8% of a request's CPU on the hot authenticated path.
export function newTraceId(): string {
  return randomUUID().replace(/-/g, '');
}

export function newSpanId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

interface LazyLog {
  base: Logger;
  bindings: Record<string, unknown>;
  created: boolean;
}
const lazyLogs = new WeakMap<Request, LazyLog>();

/**
 * Add fields to every later log line of this request. Before anything has logged this only records
 * them, so a request that never logs never pays for a child logger.
 */
export function bindLog(req: Request, fields: Record<string, unknown>): void {
  const lazy = lazyLogs.get(req);
  if (lazy && !lazy.created) Object.assign(lazy.bindings, fields);
  else req.ctx.log = req.ctx.log.child(fields);
}

/** Whether this request's logger would write at `level`, without creating it. */
export function logLevelEnabled(req: Request, level: string): boolean {
  return (lazyLogs.get(req)?.base ?? req.ctx.log).isLevelEnabled(level);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const monotonicStart = new WeakMap<Request, number>();
const w3cTraceIds = new WeakMap<Request, string>();

/** Milliseconds since the request context was created, from a monotonic clock. */
export function elapsedMs(req: Request): number {
  const start = monotonicStart.get(req);
  return start === undefined ? 0 : performance.now() - start;
}

export interface RequestContextOptions {
  logger: Logger;
  /** `SYMBIA_ENV`: the tenancy default until the tenancy middleware parses `X-Env`. */
  defaultEnv?: string;
}

/**
 * First middleware of every app: everything after it (logging, errors, 404s) can rely on
 * `req.ctx`, and the id headers are set before anything can answer, so they are on every response.
 */
export function requestContext(options: RequestContextOptions): RequestHandler {
  const defaultEnv = options.defaultEnv ?? 'dev';
  return (req: Request, res: Response, next: NextFunction) => {
    const inboundId = single(req.headers['x-request-id']);
    const requestId = inboundId !== undefined && REQUEST_ID.test(inboundId) ? inboundId : randomUUID();
    const parent = parseTraceparent(single(req.headers.traceparent));
    const inboundTrace = single(req.headers['x-trace-id']);
    const traceId =
      inboundTrace !== undefined && TRACE_ID_HEADER.test(inboundTrace) ? inboundTrace : (parent?.traceId ?? newTraceId());

    monotonicStart.set(req, performance.now());
    w3cTraceIds.set(req, parent?.traceId ?? (W3C_TRACE_ID.test(traceId) && !ALL_ZERO.test(traceId) ? traceId : newTraceId()));
    const lazy: LazyLog = { base: options.logger, bindings: { requestId, traceId }, created: false };
    let log: Logger | undefined;
    lazyLogs.set(req, lazy);
    req.ctx = {
      requestId,
      traceId,
      parentSpanId: parent?.parentSpanId,
      spanId: newSpanId(),
      // The child logger is made on first use: most successful requests below the log level never need one.
      get log(): Logger {
        if (!log) {
          log = options.logger.child(lazy.bindings);
          lazy.created = true;
        }
        return log;
      },
      set log(value: Logger) {
        log = value;
        lazy.created = true;
      },
      startedAt: Date.now(),
      tenant: { env: defaultEnv, dataClass: 'none', policyRef: 'policy/default' },
    };
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Trace-Id', traceId);
    next();
  };
}

/**
 * The `traceparent` to send on outbound calls made while serving this request. Its trace id is the
 * continued W3C one even when the client labelled the request with a non-hex `X-Trace-Id`, so
 * downstream spans join the caller's trace.
 */
export function outboundTraceparent(req: Request): string {
  const traceId = w3cTraceIds.get(req) ?? newTraceId();
  return `00-${traceId}-${req.ctx.spanId}-01`;
}
