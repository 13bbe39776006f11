import { envInt, envList, envNumber, isProduction, resolvePort, resolveServiceUrl, type Env, type ServiceId } from '@symbia/sys';

/** Express `trust proxy`: false, true, a hop count, or `loopback` / addresses / CIDRs. */
export type TrustProxy = boolean | number | string;

/**
 * `TRUST_PROXY` unset means X-Forwarded-For is not trusted and the socket address is the client,
 * so a client cannot choose its own rate-limit key by sending the header.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const value = raw?.trim();
  if (!value || value.toLowerCase() === 'false') return false;
  if (value.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

const ENV_NAME = /^[a-z0-9-]{1,32}$/;

/** What the shell reads from the environment; every service's main.ts passes it on. */
export interface ServiceEnvOptions {
  service: ServiceId;
  port: number;
  production: boolean;
  corsAllowedOrigins: string[];
  trustProxy: TrustProxy;
  /** `SYMBIA_ENV`: default of `X-Env`. */
  defaultEnv: string;
  logLevel: string;
  /** For `startServer({ graceMs })`. */
  shutdownGraceMs: number;
  /** For `createRateLimitStore`; also the Socket.IO Redis adapter. */
  redisUrl?: string;
  rateLimitScale: number;
  identityUrl: string;
}

/**
 * The only place the shell reads the environment. Values are checked here so a typo in a
 * deployment fails at start, not on the first request that needs them.
 */
export function serviceOptionsFromEnv(service: ServiceId, env: Env = process.env): ServiceEnvOptions {
  const defaultEnv = env.SYMBIA_ENV?.trim() || 'dev';
  if (!ENV_NAME.test(defaultEnv)) throw new Error('SYMBIA_ENV must match ^[a-z0-9-]{1,32}$');
  const rateLimitScale = envNumber(env.SYMBIA_RATE_LIMIT_SCALE, 1, 'SYMBIA_RATE_LIMIT_SCALE');
  if (rateLimitScale <= 0) throw new Error('SYMBIA_RATE_LIMIT_SCALE must be greater than 0');
  const shutdownGraceMs = envInt(env.SHUTDOWN_GRACE_MS, 2_000, 'SHUTDOWN_GRACE_MS');
  if (shutdownGraceMs < 0) throw new Error('SHUTDOWN_GRACE_MS must not be negative');
  return {
    service,
    port: resolvePort(service, env),
    production: isProduction(env),
    corsAllowedOrigins: envList(env.CORS_ALLOWED_ORIGINS),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    defaultEnv,
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    shutdownGraceMs,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    rateLimitScale,
    identityUrl: resolveServiceUrl('identity', env),
  };
}
