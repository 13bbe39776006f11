import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { envList, parseConfig, resolvePort, resolveServiceUrl, type Env } from '@symbia/sys';

const secret = (name: string, minBytes: number) =>
  z.string({ error: `${name} is required` }).refine((v) => Buffer.byteLength(v) >= minBytes, `${name} must be at least ${minBytes} bytes`);

const bool = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');

const limit = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  SESSION_SECRET: secret('SESSION_SECRET', 32),
  API_KEY_PEPPER: secret('API_KEY_PEPPER', 16),
  PASSWORD_PEPPER: secret('PASSWORD_PEPPER', 16),
  CURSOR_SECRET: secret('CURSOR_SECRET', 16),
  CREDENTIAL_ENCRYPTION_KEY: z
    .string({ error: 'CREDENTIAL_ENCRYPTION_KEY is required' })
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'CREDENTIAL_ENCRYPTION_KEY must be 32 bytes, base64'),
  IDENTITY_ISSUER: z.string().min(1).default('symbia-identity'),
  IDENTITY_BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  AGENT_TOKEN_TTL: z.coerce.number().int().min(60).max(2_592_000).default(86_400),
  IDENTITY_REGISTRATION: z.enum(['open', 'closed']).default('open'),
  IDENTITY_DEFAULT_PLAN: z.string().min(1).default('free'),
  IDENTITY_BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  IDENTITY_BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8).max(128).optional(),
  IDENTITY_SERVICE_SECRETS: z.string().default(''),
  IDENTITY_EMAIL_MODE: z.enum(['disabled', 'smtp', 'outbox']).default('disabled'),
  IDENTITY_SMTP_URL: z.string().optional(),
  IDENTITY_EMAIL_FROM: z.string().default('Symbia <no-reply@localhost>'),
  IDENTITY_PUBLIC_URL: z.string().optional(),
  IDENTITY_SECURE_COOKIES: bool.optional(),
  SYMBIA_RATE_LIMIT_SCALE: z.coerce.number().positive().default(1),
  IDENTITY_RATE_LIMIT_LOGIN_IP: limit(30),
  IDENTITY_RATE_LIMIT_LOGIN_ACCOUNT: limit(10),
  IDENTITY_RATE_LIMIT_REGISTER_IP: limit(10),
  IDENTITY_RATE_LIMIT_FORGOT_IP: limit(10),
  IDENTITY_RATE_LIMIT_FORGOT_EMAIL: limit(5),
  IDENTITY_RATE_LIMIT_KEYS_USER: limit(20),
  IDENTITY_RATE_LIMIT_INTROSPECT: limit(1200),
  IDENTITY_RATE_LIMIT_ADMIN: limit(30),
});

export interface IdentityConfig {
  production: boolean;
  port: number;
  publicUrl: string;
  jwt: { secret: string; issuer: string; audience: 'symbia'; agentTtlSeconds: number };
  peppers: { apiKey: string; password: string; cursor: string };
  credentialKey: Buffer;
  bcryptCost: number;
  registrationOpen: boolean;
  defaultPlan: string;
  bootstrapAdmin?: { email: string; password: string };
  serviceSecrets: Array<{ serviceId: string; secret: string }>;
  email: { mode: 'disabled' | 'smtp' | 'outbox'; smtpUrl?: string; from: string };
  secureCookies: boolean;
  rateLimitScale: number;
  /** Per-window limits (outline §1.7 defaults); windows are fixed in app.ts. */
  rateLimits: {
    loginIp: number;
    loginAccount: number;
    registerIp: number;
    forgotIp: number;
    forgotEmail: number;
    keysPerUser: number;
    introspection: number;
    admin: number;
  };
  /** Secrets made up for this process because they were unset outside production (names only). */
  generatedSecrets: string[];
}

const SECRET_MAKERS: Record<string, () => string> = {
  SESSION_SECRET: () => randomBytes(48).toString('base64url'),
  API_KEY_PEPPER: () => randomBytes(32).toString('hex'),
  PASSWORD_PEPPER: () => randomBytes(32).toString('hex'),
  CURSOR_SECRET: () => randomBytes(32).toString('hex'),
  CREDENTIAL_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
};

/**
 * Outside production a missing secret is generated for this process only (tokens and vault entries
 * then do not survive a restart), so `pnpm dev` works with no configuration. In production every
 * one is required.
 */
function withDevSecrets(env: Env): { env: Env; generated: string[] } {
  if (env.NODE_ENV === 'production') return { env, generated: [] };
  const filled: Record<string, string | undefined> = { ...env };
  const generated: string[] = [];
  for (const [name, make] of Object.entries(SECRET_MAKERS)) {
    if (!filled[name]) {
      filled[name] = make();
      generated.push(name);
    }
  }
  return { env: filled, generated };
}

const SERVICE_SECRET_ENTRY = /^([a-z][a-z0-9-]{1,31})=(svc_[0-9a-f]{64})$/;

/** Identity's configuration; every problem is reported at once and no secret value is echoed. */
export function loadIdentityConfig(input: Env): IdentityConfig {
  const { env, generated } = withDevSecrets(input);
  const raw = parseConfig(envSchema, env);
  const problems: string[] = [];
  const serviceSecrets = envList(raw.IDENTITY_SERVICE_SECRETS).flatMap((entry) => {
    const m = SERVICE_SECRET_ENTRY.exec(entry);
    if (!m) {
      problems.push('IDENTITY_SERVICE_SECRETS: each entry must be <serviceId>=svc_<64 hex>');
      return [];
    }
    return [{ serviceId: m[1]!, secret: m[2]! }];
  });
  const distinct = new Set([raw.SESSION_SECRET, raw.API_KEY_PEPPER, raw.PASSWORD_PEPPER, raw.CURSOR_SECRET, raw.CREDENTIAL_ENCRYPTION_KEY]);
  if (distinct.size < 5) problems.push('SESSION_SECRET, API_KEY_PEPPER, PASSWORD_PEPPER, CURSOR_SECRET and CREDENTIAL_ENCRYPTION_KEY must all differ');
  if (raw.IDENTITY_EMAIL_MODE === 'smtp' && !raw.IDENTITY_SMTP_URL) problems.push('IDENTITY_SMTP_URL is required when IDENTITY_EMAIL_MODE=smtp');
  if (problems.length > 0) throw new Error(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  const production = raw.NODE_ENV === 'production';
  const port = resolvePort('identity', env);
  return {
    production,
    port,
    publicUrl: raw.IDENTITY_PUBLIC_URL ?? resolveServiceUrl('identity', env),
    jwt: { secret: raw.SESSION_SECRET, issuer: raw.IDENTITY_ISSUER, audience: 'symbia', agentTtlSeconds: raw.AGENT_TOKEN_TTL },
    peppers: { apiKey: raw.API_KEY_PEPPER, password: raw.PASSWORD_PEPPER, cursor: raw.CURSOR_SECRET },
    credentialKey: Buffer.from(raw.CREDENTIAL_ENCRYPTION_KEY, 'base64'),
    bcryptCost: raw.IDENTITY_BCRYPT_COST,
    registrationOpen: raw.IDENTITY_REGISTRATION === 'open',
    defaultPlan: raw.IDENTITY_DEFAULT_PLAN,
    bootstrapAdmin:
      raw.IDENTITY_BOOTSTRAP_ADMIN_EMAIL && raw.IDENTITY_BOOTSTRAP_ADMIN_PASSWORD
        ? { email: raw.IDENTITY_BOOTSTRAP_ADMIN_EMAIL.trim().toLowerCase(), password: raw.IDENTITY_BOOTSTRAP_ADMIN_PASSWORD }
        : undefined,
    serviceSecrets,
    email: { mode: raw.IDENTITY_EMAIL_MODE, smtpUrl: raw.IDENTITY_SMTP_URL, from: raw.IDENTITY_EMAIL_FROM },
    secureCookies: raw.IDENTITY_SECURE_COOKIES ?? production,
    rateLimitScale: raw.SYMBIA_RATE_LIMIT_SCALE,
    rateLimits: {
      loginIp: raw.IDENTITY_RATE_LIMIT_LOGIN_IP,
      loginAccount: raw.IDENTITY_RATE_LIMIT_LOGIN_ACCOUNT,
      registerIp: raw.IDENTITY_RATE_LIMIT_REGISTER_IP,
      forgotIp: raw.IDENTITY_RATE_LIMIT_FORGOT_IP,
      forgotEmail: raw.IDENTITY_RATE_LIMIT_FORGOT_EMAIL,
      keysPerUser: raw.IDENTITY_RATE_LIMIT_KEYS_USER,
      introspection: raw.IDENTITY_RATE_LIMIT_INTROSPECT,
      admin: raw.IDENTITY_RATE_LIMIT_ADMIN,
    },
    generatedSecrets: generated,
  };
}
