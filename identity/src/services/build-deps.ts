import type { Database } from '@symbia/db';
import { createRateLimiter, type RateLimitStore } from '@symbia/http';
import type { Logger } from 'pino';
import type { IdentityConfig } from '../config.js';
import type { IdentityDeps } from './deps.js';
import { createLoggingPublisher, type EventPublisher } from './events.js';
import { IntrospectionService } from './introspection.service.js';
import { TokenSigner } from './jwt.js';
import { createMailer } from './mailer.js';
import { PasswordHasher } from './passwords.js';
import { SecretHasher } from './secrets.js';

export interface BuildDepsInput {
  database: Database;
  config: IdentityConfig;
  logger: Logger;
  store: RateLimitStore;
  /** Defaults to the logging publisher; the network issue swaps in the relay. */
  events?: EventPublisher;
}

/** The one place identity's service dependencies are assembled, for main.ts and the test harness alike. */
export function buildIdentityDeps({ database, config, logger, store, events }: BuildDepsInput): IdentityDeps {
  const signer = new TokenSigner(config.jwt.secret, config.jwt.issuer, config.jwt.audience);
  const secrets = new SecretHasher(config.peppers.apiKey);
  return {
    database,
    config,
    logger,
    passwords: new PasswordHasher(config.peppers.password, config.bcryptCost),
    secrets,
    signer,
    introspection: new IntrospectionService(database.db, signer, secrets),
    events: events ?? createLoggingPublisher(logger),
    mailer: createMailer(config.email),
    loginFailures: createRateLimiter({
      name: 'identity.login.account',
      limit: config.rateLimits.loginAccount,
      windowMs: 15 * 60_000,
      key: () => undefined,
      store,
      scale: config.rateLimitScale,
    }),
  };
}
