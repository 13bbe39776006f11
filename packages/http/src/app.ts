import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { DEFAULT_BODY_LIMIT, jsonBody } from './body.js';
import { createCors } from './cors.js';
import type { SocketInfo } from './bootstrap.js';
import { createDocsRouter } from './docs-routes.js';
import { createHealthRouter, type HealthCheck, type HealthChecks } from './health.js';
import { createLogger, requestLogger } from './logger.js';
import { createHttpMetrics, type HttpMetrics } from './metrics.js';
import { notFoundHandler, problemHandler } from './problem-middleware.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions, type RateLimitStore, MemoryRateLimitStore } from './rate-limit.js';
import { createRouteRegistry, type RouteRegistry } from './registry.js';
import { requestContext } from './request-context.js';
import { securityHeaders } from './security-headers.js';
import { closeConnectionsWhileDraining, createDrainState, type DrainState } from './server.js';
import type { TrustProxy } from './service-env.js';
import { PAGE_LIMIT_MAX } from './schemas.js';
import { DOCS_PATHS, DOCS_REDIRECTS } from './shell-operations.js';

export interface ServiceAppOptions {
  service: string;
  /** Human name for docs (`Symbia Logging`); defaults to the service id. */
  name?: string;
  version: string;
  description: string;
  /** A logger built by main.ts; otherwise one is created at `logLevel`. */
  logger?: Logger;
  logLevel?: string;
  port: number;
  corsAllowedOrigins: readonly string[];
  production: boolean;
  /** `TRUST_PROXY`; unset = X-Forwarded-For ignored. */
  trustProxy?: TrustProxy;
  /** `SYMBIA_ENV`: the default tenancy env. */
  defaultEnv?: string;
  /** The readiness probe of the database (bounded to 1 s by the health router). */
  databaseCheck: () => Promise<boolean>;
  /** Optional dependencies (`identity`, `network`…): down degrades `/health` only. */
  optionalChecks?: Record<string, HealthCheck>;
  /** Recognises database outages so they answer 503 instead of 500. */
  isUnavailable?: (err: unknown) => boolean;
  identityUrl: string;
  /** Socket.IO surface for the descriptor and llms-full.txt (network, messaging, runtime). */
  socket?: SocketInfo | null;
  /** Names listed as optional dependencies; defaults to the keys of `optionalChecks`. */
  optionalDependencies?: string[];
  /** Advertised in the descriptor; defaults to 1 MiB bodies and 200-item pages. */
  limits?: { bodyBytes: number; pageMax: number };
  /** Public base URL, listed as the OpenAPI server when known. */
  publicUrl?: string;
  /** Run after the shell routes and before the registry's: tenancy parsing, authentication. */
  beforeRoutes?: RequestHandler[];
  /** Shared counters (Redis in production); per-process memory by default. */
  rateLimitStore?: RateLimitStore;
  /** `SYMBIA_RATE_LIMIT_SCALE`. */
  rateLimitScale?: number;
  /** Process metrics; tests that build many apps may turn them off. */
  defaultMetrics?: boolean;
}

export interface ServiceApp {
  app: Express;
  registry: RouteRegistry;
  drain: DrainState;
  metrics: HttpMetrics;
  logger: Logger;
  /** The CORS allow-list check, for the CSRF check of cookie auth and socket handshakes. */
  isOriginAllowed: (origin: string | undefined) => boolean;
  /** A limiter bound to this app's store, scale and logger. */
  rateLimiter: (options: Omit<RateLimiterOptions, 'store' | 'scale'>) => RateLimiter;
  /** Installs the registry's routes; call once every route is added. Idempotent. */
  finalize: () => Express;
}

const SHELL_GET_PATHS = new Set<string>([
  '/health', '/health/live', '/health/ready', '/metrics', '/api/bootstrap/service',
  ...Object.values(DOCS_PATHS), ...DOCS_REDIRECTS.map((r) => r.from),
]);

/** The database first, then the optional dependencies; an optional check cannot replace the database's. */
function healthChecks(options: ServiceAppOptions): HealthChecks {
  const checks: HealthChecks = { database: options.databaseCheck };
  for (const [name, check] of Object.entries(options.optionalChecks ?? {})) if (name !== 'database') checks[name] = check;
  return checks;
}

/**
 * Runs middleware in order inside one layer. A thrown error or `next(err)` leaves the chain for the
 * error middleware, exactly as separate layers would; async rejections are forwarded too.
 */
function compose(handlers: RequestHandler[]): RequestHandler {
  return (req, res, done) => {
    let i = 0;
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null) return done(err);
      const handler = handlers[i++];
      if (!handler) return done();
      try {
        const result = handler(req, res, step) as unknown;
        if (result instanceof Promise) result.catch(step);
      } catch (e) {
        step(e);
      }
    };
    step();
  };
}

/** Express matches paths case-insensitively and ignores one trailing slash; so does the gate. */
function isShellPath(path: string): boolean {
  const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return SHELL_GET_PATHS.has(p) || SHELL_GET_PATHS.has(p.toLowerCase());
}

/**
 * Builds a service's Express app in the shell's fixed order. Pure: no environment reads, no
 * listening (main.ts does those, with `serviceOptionsFromEnv` and `startServer`).
 *
 * Routes are mounted lazily. An empty router holds the registry's place in the chain (after the
 * shell routes and `beforeRoutes`, before 404/405 and the error middleware); `finalize()` fills it
 * with every route registered so far. Usage:
 *
 *   const { app, registry, finalize } = createServiceApp(opts);
 *   registry.addAll(routes);
 *   finalize();
 *
 * As a safety net the first request finalizes an app nobody finalized; routes added after that
 * are refused by a thrown error, never silently dropped.
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const logger = options.logger ?? createLogger({ service: options.service, level: options.logLevel });
  const registry = createRouteRegistry({
    service: options.service,
    name: options.name ?? options.service,
    version: options.version,
    description: options.description,
  });
  const drain = createDrainState();
  const metrics = createHttpMetrics({ service: options.service, defaultMetrics: options.defaultMetrics });
  const cors = createCors({ allowedOrigins: options.corsAllowedOrigins, production: options.production });
  const store = options.rateLimitStore ?? new MemoryRateLimitStore();

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy ?? false);
  app.locals.drain = drain;

  // API responses are small and uncacheable; hashing every body for an ETag is wasted work.
  app.set('etag', false);

  // Logging and metrics come before CORS so refused preflights are logged and counted too. One
  // Express layer for the whole per-request prologue: each layer costs a match and a `next` hop.
  app.use(
    compose([
      requestContext({ logger, defaultEnv: options.defaultEnv }),
      requestLogger(),
      metrics.middleware,
      closeConnectionsWhileDraining(drain),
      securityHeaders(),
      cors,
    ]),
  );

  // Health, metrics and docs answer a fixed set of GET paths. Gating them on an exact-path lookup
  // keeps every API request from walking their ~20 route layers.
  const shellRoutes = express.Router();
  shellRoutes.use(
    createHealthRouter({
      service: options.service,
      version: options.version,
      checks: healthChecks(options),
      isDraining: () => drain.draining,
    }),
    metrics.router,
    createDocsRouter(registry, {
      port: options.port,
      status: () => (drain.draining ? 'draining' : 'ok'),
      identityUrl: options.identityUrl,
      socket: options.socket ?? null,
      optionalDependencies: options.optionalDependencies ?? Object.keys(options.optionalChecks ?? {}),
      limits: options.limits ?? { bodyBytes: DEFAULT_BODY_LIMIT, pageMax: PAGE_LIMIT_MAX },
      serverUrl: options.publicUrl,
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => (isShellPath(req.path) ? shellRoutes(req, res, next) : next()));
  if (options.beforeRoutes?.length) app.use(compose(options.beforeRoutes));

  const routes = express.Router();
  let finalized = false;
  const finalize = () => {
    if (!finalized) {
      finalized = true;
      registry.mount(routes, { jsonBody });
      registry.add = (spec) => {
        throw new Error(`route ${spec.operationId} was added after the app was finalized`);
      };
    }
    return app;
  };
  app.use((_req: Request, _res: Response, next: NextFunction) => {
    if (!finalized) {
      logger.warn('createServiceApp: finalize() was not called before the first request; finalizing now');
      finalize();
    }
    next();
  }, routes);

  app.use(
    notFoundHandler({
      allowedMethods: (path) => registry.allowedMethods(path) ?? (SHELL_GET_PATHS.has(path) ? ['GET', 'HEAD'] : undefined),
    }),
  );
  app.use(problemHandler({ logger, isUnavailable: options.isUnavailable, onProblem: metrics.recordProblem }));

  const rateLimiter = (limiterOptions: Omit<RateLimiterOptions, 'store' | 'scale'>) =>
    createRateLimiter({ logger, ...limiterOptions, store, scale: options.rateLimitScale });

  return { app, registry, drain, metrics, logger, isOriginAllowed: cors.isOriginAllowed, rateLimiter, finalize };
}
