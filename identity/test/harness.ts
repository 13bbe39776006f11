import { createTestDatabase, type TestEngine } from '@symbia/db/testing';
import { captureLogger, MemoryRateLimitStore } from '@symbia/http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { createApp } from '../src/app.js';
import { loadIdentityConfig } from '../src/config.js';
import { bootstrapIdentity } from '../src/services/bootstrap.service.js';
import { buildIdentityDeps } from '../src/services/build-deps.js';
import { createLoggingPublisher } from '../src/services/events.js';
import { ServiceAccountsService } from '../src/services/service-accounts.service.js';

export const ADMIN = { email: 'root@symbia.test', password: 'Root-Password-4-Tests!' };
export const SERVICE_SECRETS = {
  integrations: `svc_${'a1'.repeat(32)}`,
  logging: `svc_${'b2'.repeat(32)}`,
  network: `svc_${'c3'.repeat(32)}`,
};

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    API_KEY_PEPPER: randomBytes(16).toString('hex'),
    PASSWORD_PEPPER: randomBytes(16).toString('hex'),
    CURSOR_SECRET: randomBytes(16).toString('hex'),
    CREDENTIAL_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // bcrypt's minimum cost keeps the suite fast; the cost is a config value, not a code path.
    IDENTITY_BCRYPT_COST: '4',
    IDENTITY_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    IDENTITY_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    IDENTITY_SERVICE_SECRETS: Object.entries(SERVICE_SECRETS).map(([k, v]) => `${k}=${v}`).join(','),
    IDENTITY_EMAIL_MODE: 'outbox',
    ...overrides,
  };
}

export interface Harness {
  app: ReturnType<typeof createApp>['app'];
  http: ReturnType<typeof request>;
  deps: Parameters<typeof createApp>[0];
  services: ReturnType<typeof createApp>['services'];
  /** Every registered route declaration, for tests that sweep the whole surface. */
  routes: ReturnType<ReturnType<typeof createApp>['registry']['routes']>;
  /** Every mesh event identity published, in order. */
  events: Array<{ type: string; payload: Record<string, unknown> }>;
  logText: () => string;
  /**
   * Forget rate-limit windows whose limiter name starts with `prefix` (all when omitted), e.g.
   * `identity.register.ip` so a suite can register more than ten users from one address.
   */
  resetRateLimits(prefix?: string): Promise<void>;
  close(): Promise<void>;
}

/** The memory store, remembering which keys it has seen so tests can start windows over. */
class ResettableRateLimitStore extends MemoryRateLimitStore {
  private readonly seen = new Set<string>();

  override async increment(key: string, windowMs: number) {
    this.seen.add(key);
    return super.increment(key, windowMs);
  }

  async resetAll(prefix = ''): Promise<void> {
    for (const key of [...this.seen]) {
      // Store keys are `<limiter name>:<hash>`.
      if (!key.startsWith(prefix)) continue;
      await this.reset(key);
      this.seen.delete(key);
    }
  }
}

/** A real identity app on a fresh database of the given engine, with test-sized secrets and limits. */
export interface HarnessOptions {
  /** Also told every published event: what the relay does for other services' auth caches. */
  onEvent?: (type: string, payload: Record<string, unknown>) => void;
}

export async function createHarness(engine: TestEngine, env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const testDb = await createTestDatabase(engine, 'identity', {
    migrationsFolder: fileURLToPath(new URL('../src/db/migrations', import.meta.url)),
  });
  const config = loadIdentityConfig(testEnv(env));
  const { logger, text } = captureLogger('identity', 'info');
  const events: Harness['events'] = [];
  const store = new ResettableRateLimitStore();
  const database = testDb.database;
  const deps = buildIdentityDeps({
    database,
    config,
    logger,
    store,
    events: createLoggingPublisher(logger, [(type, payload) => events.push({ type, payload }), (type, payload) => options.onEvent?.(type, payload)]),
  });
  await bootstrapIdentity(deps, new ServiceAccountsService(deps));
  const built = createApp(deps, {
    shell: { port: 0, production: false, corsAllowedOrigins: ['https://app.symbia.test'], trustProxy: false, defaultEnv: 'dev', logLevel: 'info', rateLimitScale: 1, identityUrl: 'http://127.0.0.1:5001' },
    rateLimitStore: store,
  });
  return {
    app: built.app,
    http: request(built.app),
    deps,
    services: built.services,
    routes: built.registry.routes(),
    events,
    logText: text,
    resetRateLimits: (prefix) => store.resetAll(prefix),
    close: () => testDb.drop(),
  };
}

/** Small helpers so tests read as scenarios. */
export function actions(h: Harness) {
  let n = 0;
  const unique = () => `${Date.now().toString(36)}${(n++).toString(36)}${randomBytes(2).toString('hex')}`;
  return {
    unique,
    async register(opts: { email?: string; password?: string; name?: string; orgName?: string } = {}) {
      const email = opts.email ?? `user-${unique()}@example.test`;
      const password = opts.password ?? 'correct-horse-battery-staple';
      const res = await h.http.post('/api/auth/register').send({ email, password, name: opts.name ?? 'Test User', ...(opts.orgName ? { orgName: opts.orgName } : {}) });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { email, password, token: res.body.token as string, user: res.body.user as { id: string; organizations: Array<{ id: string; slug: string }> } };
    },
    async adminToken(): Promise<string> {
      const res = await h.http.post('/api/auth/login').send(ADMIN);
      if (res.status !== 200) throw new Error(`admin login failed: ${res.status}`);
      return res.body.token;
    },
    async serviceToken(serviceId: keyof typeof SERVICE_SECRETS): Promise<string> {
      const res = await h.http.post('/api/auth/service/token').send({ serviceId, secret: SERVICE_SECRETS[serviceId] });
      if (res.status !== 200) throw new Error(`service token failed: ${res.status}`);
      return res.body.token;
    },
    /** A user who administers a fresh org. */
    async orgAdmin() {
      const u = await this.register({ orgName: `Org ${unique()}` });
      return { ...u, orgId: u.user.organizations[0]!.id };
    },
    async apiKey(token: string, body: Record<string, unknown> = {}) {
      const res = await h.http.post('/api/api-keys').set('authorization', `Bearer ${token}`).send({ name: 'test key', ...body });
      if (res.status !== 201) throw new Error(`api key failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string; key: string; keyPrefix: string };
    },
  };
}

/** Row counts of every identity table: a failed request must leave them unchanged. */
export async function tableCounts(h: Harness): Promise<Record<string, number>> {
  const dump = await h.deps.database.exportDatabase();
  return Object.fromEntries(Object.entries(dump).map(([t, rows]) => [t, rows.length]));
}
