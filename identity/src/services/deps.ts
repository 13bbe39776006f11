import type { Database } from '@symbia/db';
import type { RateLimiter } from '@symbia/http';
import type { Logger } from 'pino';
import type { IdentityConfig } from '../config.js';
import type { EventPublisher } from './events.js';
import type { IntrospectionService } from './introspection.service.js';
import type { TokenSigner } from './jwt.js';
import type { Mailer } from './mailer.js';
import type { PasswordHasher } from './passwords.js';
import type { SecretHasher } from './secrets.js';

/** What identity's services are built from; main.ts makes the real ones, tests pass their own. */
export interface IdentityDeps {
  database: Database;
  config: IdentityConfig;
  logger: Logger;
  passwords: PasswordHasher;
  secrets: SecretHasher;
  signer: TokenSigner;
  introspection: IntrospectionService;
  events: EventPublisher;
  mailer: Mailer;
  /** Failed logins per account (email or agentId): 10 per 15 min, then every attempt is 429. */
  loginFailures: RateLimiter;
}
