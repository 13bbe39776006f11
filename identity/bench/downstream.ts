// A minimal downstream service for `pnpm bench identity`: the @symbia/http shell authenticating
// through identity's introspection with the 30 s cache, exactly as every other service will.
// Child process entry; env: PORT, IDENTITY_URL, LOGGING_SERVICE_SECRET, LOG_LEVEL.
import {
  createAuthenticate,
  createIntrospectionVerifier,
  createLogger,
  createServiceApp,
  createServiceTokenProvider,
  defineRoute,
  installSignalHandlers,
  parseTenancy,
  requireAuth,
  requirePrincipal,
  startServer,
} from '@symbia/http';
import { z } from 'zod';

const port = Number(process.env.PORT);
const identityUrl = process.env.IDENTITY_URL ?? '';
const secret = process.env.LOGGING_SERVICE_SECRET ?? '';
const logger = createLogger({ service: 'logging', level: process.env.LOG_LEVEL ?? 'warn' });

const verifier = createIntrospectionVerifier({
  identityUrl,
  getServiceToken: createServiceTokenProvider({ identityUrl, serviceId: 'logging', secret }),
});

const shell = createServiceApp({
  service: 'logging',
  name: 'Bench downstream',
  version: '0.0.0',
  description: 'Authenticates every request through identity introspection (cached 30 s).',
  logger,
  port,
  corsAllowedOrigins: [],
  production: false,
  databaseCheck: async () => true,
  identityUrl,
  beforeRoutes: [parseTenancy('dev'), createAuthenticate({ verifier, isOriginAllowed: (o) => shell.isOriginAllowed(o) })],
});

shell.registry.add(
  defineRoute({
    method: 'get',
    path: '/api/whoami',
    operationId: 'bench.whoami',
    summary: 'The principal id of the caller',
    auth: 'any',
    guards: [requireAuth],
    responses: { 200: { description: 'Principal', schema: z.object({ id: z.string() }) } },
    handler: ({ req }) => ({ id: requirePrincipal(req).id }),
  }),
);
shell.finalize();

const handle = await startServer(shell.app, { port, host: '127.0.0.1', logger, drain: shell.drain, graceMs: 0 });
installSignalHandlers(handle, { logger });
