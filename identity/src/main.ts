import { openDatabase, resolveDatabaseOptions } from '@symbia/db';
import { createLogger, createRateLimitStore, installSignalHandlers, serviceOptionsFromEnv, startServer } from '@symbia/http';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { loadIdentityConfig } from './config.js';
import { bootstrapIdentity } from './services/bootstrap.service.js';
import { buildIdentityDeps } from './services/build-deps.js';
import { ServiceAccountsService } from './services/service-accounts.service.js';

/** The only impure file: environment in, real dependencies built, server listening. */
async function main(): Promise<void> {
  const shell = serviceOptionsFromEnv('identity');
  const logger = createLogger({ service: 'identity', level: shell.logLevel });
  const config = loadIdentityConfig(process.env);
  if (config.generatedSecrets.length > 0) {
    logger.warn({ generated: config.generatedSecrets }, 'secrets not set; generated for this process only (never do this in production)');
  }
  const database = await openDatabase({
    ...resolveDatabaseOptions('identity'),
    migrationsFolder: fileURLToPath(new URL('./db/migrations', import.meta.url)),
    logger,
  });
  const store = createRateLimitStore(process.env, logger);
  const deps = buildIdentityDeps({ database, config, logger, store });
  await bootstrapIdentity(deps, new ServiceAccountsService(deps));
  const { app, drain } = createApp(deps, { shell, rateLimitStore: store });
  const handle = await startServer(app, { port: shell.port, logger, drain, graceMs: shell.shutdownGraceMs, onShutdown: [() => database.close()] });
  installSignalHandlers(handle, { logger });
  logger.info({ port: handle.port, database: database.kind }, 'identity ready');
}

main().catch((err: unknown) => {
  // Config errors carry only variable names; anything else is printed without values it may hold.
  process.stderr.write(`identity failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
