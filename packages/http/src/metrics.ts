import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { elapsedMs } from './request-context.js';

export interface HttpMetricsOptions {
  service: string;
  /** Process metrics (CPU, memory, event loop, GC). Off in tests that build many apps. */
  defaultMetrics?: boolean;
}

export interface HttpMetrics {
  registry: Registry;
  /** Counts and times every request once it completes. */
  middleware: RequestHandler;
  /** `GET /metrics`: Prometheus text exposition. */
  router: Router;
  /** Counts an answered problem code (`http_errors_total{code}`); the problem middleware calls it. */
  recordProblem(code: string): void;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The route label is the matched pattern (`/api/orgs/:orgId`), never the raw URL: ids in paths
 * would give every object its own time series. Requests no route matched share "unmatched".
 */
export function routeLabel(req: Request): string {
  const path: unknown = req.route?.path;
  if (path === undefined) return 'unmatched';
  const pattern = Array.isArray(path) ? path.join('|') : String(path);
  return `${req.baseUrl}${pattern}`;
}

/**
 * One registry per app, not prom-client's global one, so several apps in one process (tests, the
 * embedded stack) do not collide on metric names.
 */
export function createHttpMetrics(options: HttpMetricsOptions): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests completed, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'http_errors_total',
    help: 'Problem responses, by problem code',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  const middleware: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    // Read the route at finish: only then has the router matched it; baseUrl is already restored to the mount point.
    res.on('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, elapsedMs(req) / 1000);
    });
    next();
  };

  const router = Router();
  router.get('/metrics', async (_req: Request, res: Response, next: NextFunction) => {
    try {
      const text = await registry.metrics();
      res.setHeader('Cache-Control', 'no-store');
      res.type(registry.contentType).send(text);
    } catch (err) {
      next(err);
    }
  });

  return { registry, middleware, router, recordProblem: (code) => errors.inc({ code }) };
}
