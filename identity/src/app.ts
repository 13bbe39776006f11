import { isDatabaseUnavailableError } from '@symbia/db';
import { authenticateByRoute, clientIpKey, createAuthenticate, createServiceApp, parseTenancy, type RateLimitStore, type ServiceEnvOptions } from '@symbia/http';
import type { Request } from 'express';
import { createLocalVerifier } from './auth-verifier.js';
import './errors.js';
import { recordOrgCrossings } from './routes/org-crossings.js';
import { createAdminRoutes } from './routes/admin.routes.js';
import { createAgentsRoutes } from './routes/agents.routes.js';
import { createApiKeysRoutes } from './routes/api-keys.routes.js';
import { createAuthRoutes } from './routes/auth.routes.js';
import { createCredentialsRoutes } from './routes/credentials.routes.js';
import { createEntitiesRoutes } from './routes/entities.routes.js';
import { createMeRoutes } from './routes/me.routes.js';
import { createOrgsRoutes } from './routes/orgs.routes.js';
import { createProjectsRoutes } from './routes/projects.routes.js';
import { createScopedEntitlementsRoutes } from './routes/scoped-entitlements.routes.js';
import { createTokenRoutes } from './routes/tokens.routes.js';
import { createUsersRoutes } from './routes/users.routes.js';
import { createIdentityServices } from './services/container.js';
import type { IdentityDeps } from './services/deps.js';

export const IDENTITY_VERSION = '1.0.0';

export interface CreateAppOptions {
  shell: Omit<ServiceEnvOptions, 'service' | 'shutdownGraceMs' | 'redisUrl'>;
  rateLimitStore?: RateLimitStore;
}

const principalKey = (req: Request) => (req.ctx.principal ? `${req.ctx.principal.type}:${req.ctx.principal.id}` : clientIpKey(req));

/** Identity's Express app from its dependencies: no environment, no listening. */
export function createApp(deps: IdentityDeps, options: CreateAppOptions) {
  const services = createIdentityServices(deps);
  const shell = createServiceApp({
    service: 'identity',
    name: 'Symbia Identity',
    version: IDENTITY_VERSION,
    description: 'Users, agents, service accounts, orgs, API keys, credentials vault, token issue and RFC 7662 introspection.',
    logger: deps.logger,
    port: options.shell.port,
    corsAllowedOrigins: options.shell.corsAllowedOrigins,
    production: options.shell.production,
    trustProxy: options.shell.trustProxy,
    defaultEnv: options.shell.defaultEnv,
    databaseCheck: () => deps.database.ping(1000),
    isUnavailable: isDatabaseUnavailableError,
    identityUrl: deps.config.publicUrl,
    publicUrl: deps.config.publicUrl,
    rateLimitStore: options.rateLimitStore,
    rateLimitScale: options.shell.rateLimitScale,
    beforeRoutes: [
      parseTenancy(options.shell.defaultEnv),
      recordOrgCrossings(deps.database.db, deps.logger),
      // Late-bound: the allow-list and the routes live in the shell this call is still building.
      authenticateByRoute(
        createAuthenticate({ verifier: createLocalVerifier(deps.introspection), isOriginAllowed: (o) => shell.isOriginAllowed(o) }),
        () => shell.registry.routes(),
      ),
    ],
  });

  const hour = 60 * 60_000;
  const limit = shell.rateLimiter;
  const n = deps.config.rateLimits;
  const loginIp = limit({ name: 'identity.login.ip', limit: n.loginIp, key: clientIpKey });
  const limits = {
    loginIp,
    registerIp: limit({ name: 'identity.register.ip', limit: n.registerIp, windowMs: hour, key: clientIpKey }),
    forgotIp: limit({ name: 'identity.forgot.ip', limit: n.forgotIp, key: clientIpKey }),
    forgotEmail: limit({
      name: 'identity.forgot.email',
      limit: n.forgotEmail,
      windowMs: hour,
      key: (req) => (req.valid.body as { email?: string } | undefined)?.email,
    }),
    createKey: limit({ name: 'identity.keys.user', limit: n.keysPerUser, windowMs: hour, key: principalKey }),
    registerAgent: limit({ name: 'identity.agents.user', limit: n.keysPerUser, windowMs: hour, key: principalKey }),
    introspection: limit({ name: 'identity.introspect', limit: n.introspection, key: principalKey }),
    admin: limit({ name: 'identity.admin', limit: n.admin, key: principalKey }),
  };

  shell.registry.addAll([
    ...createAuthRoutes(services, limits),
    ...createTokenRoutes(services, limits),
    ...createMeRoutes(services, limits),
    ...createUsersRoutes(services),
    ...createOrgsRoutes(services),
    ...createAgentsRoutes(services),
    ...createApiKeysRoutes(services, limits),
    ...createAdminRoutes(services, limits),
    ...createProjectsRoutes(services),
    ...createScopedEntitlementsRoutes(services),
    ...createCredentialsRoutes(services),
    ...createEntitiesRoutes(services),
  ]);
  shell.finalize();
  return { ...shell, services };
}
