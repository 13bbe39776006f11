import { Router, type Request, type Response } from 'express';

export type CheckState = 'ok' | 'down' | 'disabled';

/** A probe answers a state, or a boolean (true = ok). Throwing or hanging counts as down. */
export type HealthCheck = () => Promise<CheckState | boolean>;

export interface HealthChecks {
  /** The one required dependency: readiness fails when it does. */
  database: HealthCheck;
  /** Optional dependencies (`identity`, `network`, …): down only degrades `/health`. */
  [dependency: string]: HealthCheck;
}

export interface HealthOptions {
  service: string;
  version: string;
  checks: HealthChecks;
  isDraining: () => boolean;
  /** Each probe's budget; outline §1.2 says 1 s. */
  checkTimeoutMs?: number;
}

export interface HealthReport {
  ready: boolean;
  degraded: boolean;
  checks: Record<string, CheckState>;
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckState>((resolve) => {
    timer = setTimeout(() => resolve('down'), timeoutMs);
  });
  const probe = Promise.resolve()
    .then(check)
    .then((r): CheckState => (r === true ? 'ok' : r === false ? 'down' : r === 'ok' || r === 'disabled' ? r : 'down'))
    .catch((): CheckState => 'down');
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every probe at once, each within its budget, so one slow peer cannot stall the others. */
export async function evaluateHealth(options: HealthOptions): Promise<HealthReport> {
  const timeoutMs = options.checkTimeoutMs ?? 1_000;
  const names = Object.keys(options.checks);
  const states = await Promise.all(names.map((name) => runCheck(options.checks[name]!, timeoutMs)));
  const checks: Record<string, CheckState> = {};
  names.forEach((name, i) => {
    checks[name] = states[i]!;
  });
  const ready = checks.database === 'ok' && !options.isDraining();
  const degraded = names.some((n) => n !== 'database' && checks[n] === 'down');
  return { ready, degraded, checks };
}

function sendJson(res: Response, status: number, body: unknown): void {
  // Probes must see the live state, never a cached one.
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json(body);
}

/**
 * `/health/live`, `/health/ready` and `/health` (outline §1.2). Plain JSON, not problem+json, and
 * mounted before any rate limiter or auth so orchestrators always get an answer.
 */
export function createHealthRouter(options: HealthOptions): Router {
  const router = Router();
  router.get('/health/live', (_req: Request, res: Response) => sendJson(res, 200, { status: 'ok' }));
  router.get('/health/ready', async (_req: Request, res: Response) => {
    const report = await evaluateHealth(options);
    sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ok' : 'unavailable', checks: report.checks });
  });
  router.get('/health', async (_req: Request, res: Response) => {
    const report = await evaluateHealth(options);
    const status = !report.ready ? 'unavailable' : report.degraded ? 'degraded' : 'ok';
    sendJson(res, report.ready ? 200 : 503, {
      status,
      service: options.service,
      version: options.version,
      timestamp: new Date().toISOString(),
      uptimeSeconds: Math.floor(process.uptime()),
      checks: report.checks,
    });
  });
  return router;
}

/** Alias matching the outline's wording. */
export const createHealth = createHealthRouter;
