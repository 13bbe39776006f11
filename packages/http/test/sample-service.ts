import { z } from 'zod';
import { captureLogger, createServiceApp, defineRoute, HttpProblem, parseTenancy, type ServiceAppOptions } from '../src/index.js';

/**
 * A tiny service on the real shell, shared by the shell's API tests: every cross-cutting behaviour
 * of outline §1 is observable through its handful of routes.
 */

export const LEAK = 'password authentication failed for user "symbia" at /srv/app/db.ts:42';

export class DatabaseDown extends Error {}

export function sampleService(overrides: Partial<ServiceAppOptions> = {}) {
  const capture = captureLogger('sample');
  const db = { up: true };
  const svc = createServiceApp({
    service: 'sample',
    name: 'Symbia Sample',
    version: '1.2.3',
    description: 'A service used to test the shell',
    logger: capture.logger,
    port: 5999,
    corsAllowedOrigins: ['https://*.example.com'],
    production: true,
    identityUrl: 'http://127.0.0.1:5001',
    databaseCheck: async () => db.up,
    optionalChecks: { network: async () => 'ok' },
    isUnavailable: (err) => err instanceof DatabaseDown,
    beforeRoutes: [parseTenancy('dev')],
    defaultMetrics: false,
    ...overrides,
  });
  const loginLimit = svc.rateLimiter({ name: 'sample.login', limit: 2, key: (req) => req.ip });
  svc.registry.addAll([
    defineRoute({
      method: 'post',
      path: '/api/widgets',
      operationId: 'widgets.create',
      summary: 'Create a widget',
      auth: 'none',
      body: z.strictObject({ name: z.string().min(1).max(50), size: z.number().int().min(1) }),
      bodyLimit: 256,
      responses: { 201: { description: 'Created' } },
      handler: ({ body, res, req }) => {
        res.status(201);
        return { ...body, env: req.ctx.tenant.env };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/widgets/:id',
      operationId: 'widgets.get',
      summary: 'Get a widget',
      auth: 'none',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'The widget' } },
      handler: ({ params }) => ({ id: params.id }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/crash',
      operationId: 'crash',
      summary: 'Fails unexpectedly',
      auth: 'none',
      responses: { 200: { description: 'never' } },
      handler: () => {
        throw new Error(LEAK);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/db',
      operationId: 'db',
      summary: 'Needs the database',
      auth: 'none',
      responses: { 200: { description: 'never' } },
      handler: () => {
        throw new DatabaseDown('connect ECONNREFUSED');
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/login',
      operationId: 'login',
      summary: 'Rate limited',
      auth: 'none',
      middleware: [loginLimit],
      responses: { 200: { description: 'ok' } },
      handler: () => ({ ok: true }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/forbidden',
      operationId: 'forbidden',
      summary: 'Always 403',
      auth: 'any',
      responses: { 200: { description: 'never' } },
      handler: () => {
        throw new HttpProblem('FORBIDDEN', { extensions: { requiredCapability: 'cap:x.y' } });
      },
    }),
  ]);
  svc.finalize();
  return { ...svc, db, ...capture };
}
