import { Validator } from '@seriousme/openapi-schema-validator';
import { isDatabaseUnavailableError, openDatabase, type Database } from '@symbia/db';
import { createTcpProxy, type TcpProxy } from '@symbia/db/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { captureLogger, createServiceApp, defineRoute, HttpProblem, parseTenancy } from '../src/index.js';

/**
 * The sample app on a real database: readiness and request errors follow an actual outage (a
 * closed PGlite; a Postgres reached through a proxy that is paused and resumed), not a flag.
 */
function dbService(database: Database) {
  const capture = captureLogger('sample');
  const svc = createServiceApp({
    service: 'sample',
    version: '1.0.0',
    description: 'Sample service on a real database',
    logger: capture.logger,
    port: 5998,
    corsAllowedOrigins: [],
    production: false,
    identityUrl: 'http://127.0.0.1:5001',
    databaseCheck: () => database.ping(1000),
    isUnavailable: isDatabaseUnavailableError,
    beforeRoutes: [parseTenancy('dev')],
    defaultMetrics: false,
  });
  const guard = (req: { headers: Record<string, unknown> }, _res: unknown, next: () => void) => {
    if (req.headers.authorization !== 'Bearer let-me-in') throw new HttpProblem('AUTH_REQUIRED');
    next();
  };
  svc.registry.addAll([
    defineRoute({
      method: 'get',
      path: '/api/now',
      operationId: 'now',
      summary: 'Ask the database for the time',
      auth: 'none',
      responses: { 200: { description: 'Database time', schema: z.object({ now: z.string() }) } },
      handler: async () => {
        const { rows } = await database.query<{ now: Date }>('SELECT now() AS now');
        return { now: new Date(rows[0]!.now).toISOString() };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/guarded',
      operationId: 'guarded',
      summary: 'Guards run before the body is read',
      auth: 'any',
      guards: [guard as never],
      body: z.strictObject({ name: z.string().min(1) }),
      responses: { 200: { description: 'ok' } },
      handler: ({ body }) => body,
    }),
  ]);
  svc.finalize();
  return svc;
}

describe('sample app on PGlite', () => {
  let database: Database;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    database = await openDatabase({ service: 'sample' });
    http = request(dbService(database).app);
  });
  afterAll(() => database.close());

  it('is ready while the database answers and serves queries', async () => {
    expect((await http.get('/health/ready')).status).toBe(200);
    expect((await http.get('/api/now')).status).toBe(200);
  });

  it('checks guards before parsing or validating the body', async () => {
    const anonymous = await http.post('/api/guarded').send({ unknown: 1 });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('AUTH_REQUIRED');
    const invalid = await http.post('/api/guarded').set('authorization', 'Bearer let-me-in').send({ unknown: 1 });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
  });

  it('publishes a valid OpenAPI 3.1 document listing every route', async () => {
    const doc = (await http.get('/docs/openapi.json')).body;
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/now', '/api/guarded', '/health/ready', '/docs/openapi.json']));
  });

  it('turns readiness and data requests to 503 once the database is gone', async () => {
    await database.close();
    const ready = await http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', checks: { database: 'down' } });
    const res = await http.get('/api/now');
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeDefined();
  });
});

const adminUrl = process.env.TEST_DATABASE_URL;

// Only with a real server: the outage is simulated by a TCP proxy in front of it.
describe.runIf(adminUrl)('sample app on Postgres through a proxy', () => {
  let database: Database;
  let proxy: TcpProxy;
  let http: ReturnType<typeof request>;
  beforeAll(async () => {
    const target = new URL(adminUrl!);
    proxy = await createTcpProxy(target.hostname, Number(target.port || 5432));
    target.host = `127.0.0.1:${proxy.port}`;
    database = await openDatabase({ service: 'sample', url: target.toString(), pool: { connectionTimeoutMillis: 1000 } });
    http = request(dbService(database).app);
  });
  afterAll(async () => {
    await database?.close();
    await proxy?.close();
  });

  it('goes unready while Postgres is unreachable and recovers by itself', async () => {
    expect((await http.get('/health/ready')).status).toBe(200);
    await proxy.pause();
    const down = await http.get('/health/ready');
    expect(down.status).toBe(503);
    const failed = await http.get('/api/now');
    expect(failed.status).toBe(503);
    expect(failed.body.code).toBe('SERVICE_UNAVAILABLE');
    await proxy.resume();
    let ready = 0;
    for (let i = 0; i < 20 && ready !== 200; i++) {
      ready = (await http.get('/health/ready')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(ready).toBe(200);
    expect((await http.get('/api/now')).status).toBe(200);
  });
});
