import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonBody } from './body.js';
import { isHttpProblem, problem, problemBody } from './errors.js';
import { aliasOperationId, createRouteRegistry, type JsonBodyFactoryOptions, type MountDeps } from './registry.js';
import { defineRoute, type AnyRouteSpec, type HttpMethod } from './route.js';

function problemHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (isHttpProblem(err)) {
    res.status(err.status).type('application/problem+json').json(problemBody(err, 'req-test'));
    return;
  }
  res.status(500).json({ code: 'INTERNAL_ERROR' });
}

const info = { service: 'test', name: 'Test', version: '1.0.0', description: 'Test service' };

function route(method: HttpMethod, path: string, operationId: string, extra: Partial<AnyRouteSpec> = {}): AnyRouteSpec {
  return defineRoute({ method, path, operationId, summary: operationId, auth: 'none', responses: { 200: { description: 'ok' } }, handler: () => ({ operationId }), ...extra });
}

describe('registration', () => {
  it('rejects a duplicate operationId', () => {
    const registry = createRouteRegistry(info).add(route('get', '/api/a', 'a.get'));
    expect(() => registry.add(route('get', '/api/b', 'a.get'))).toThrow(/duplicate operationId "a.get"/);
  });

  it('rejects a duplicate method and path, whatever the parameter names', () => {
    const registry = createRouteRegistry(info).add(route('get', '/api/orgs/:orgId', 'orgs.get'));
    expect(() => registry.add(route('get', '/api/orgs/:id', 'orgs.get2'))).toThrow(/duplicate route GET \/api\/orgs\/:id/);
    expect(() => registry.add(route('get', '/api/other', 'other.get', { aliases: ['/API/Orgs/:x'] }))).toThrow(/duplicate route/);
    expect(() => registry.add(route('delete', '/api/orgs/:orgId', 'orgs.delete'))).not.toThrow();
  });

  it('does not keep a half-registered spec after a rejection', () => {
    const registry = createRouteRegistry(info).add(route('get', '/api/a', 'a.get'));
    expect(() => registry.add(route('post', '/api/x', 'x.create', { aliases: ['/api/a'] }))).not.toThrow();
    expect(() => registry.add(route('get', '/api/y', 'y.get', { aliases: ['/api/a'] }))).toThrow();
    expect(registry.routes().map((r) => r.operationId)).toEqual(['a.get', 'x.create']);
    expect(() => registry.add(route('get', '/api/y', 'y.get'))).not.toThrow();
  });

  it('refuses path syntax the 405 matcher could not follow', () => {
    const registry = createRouteRegistry(info);
    expect(() => registry.add(route('get', 'api/x', 'x'))).toThrow(/must start with/);
    expect(() => registry.add(route('get', '/api/files{/:name}', 'f'))).toThrow(/unsupported/);
    expect(() => registry.add(route('get', '/api/:a-:b', 'g'))).toThrow(/unsupported/);
    expect(() => registry.add(route('get', '/api/*rest/x', 'h'))).toThrow(/last segment/);
  });
});

describe('allowedMethods', () => {
  const registry = createRouteRegistry(info).addAll([
    route('get', '/api/orgs', 'orgs.list'),
    route('post', '/api/orgs', 'orgs.create'),
    route('get', '/api/orgs/:orgId', 'orgs.get', { aliases: ['/api/organizations/:orgId'] }),
    route('delete', '/api/orgs/:orgId', 'orgs.delete'),
    route('post', '/api/orgs/:orgId/members', 'members.add'),
    route('get', '/files/*path', 'files.get'),
  ]);

  it('lists the methods served at a path, with HEAD alongside GET', () => {
    expect(registry.allowedMethods('/api/orgs')).toEqual(['GET', 'HEAD', 'POST']);
    expect(registry.allowedMethods('/api/orgs/123')).toEqual(['DELETE', 'GET', 'HEAD']);
    expect(registry.allowedMethods('/api/orgs/123/members')).toEqual(['POST']);
  });

  it('matches aliases, trailing slashes, letter case and wildcards like Express does', () => {
    expect(registry.allowedMethods('/api/organizations/9')).toEqual(['GET', 'HEAD']);
    expect(registry.allowedMethods('/api/orgs/')).toEqual(['GET', 'HEAD', 'POST']);
    expect(registry.allowedMethods('/API/ORGS')).toEqual(['GET', 'HEAD', 'POST']);
    expect(registry.allowedMethods('/files/a/b/c')).toEqual(['GET', 'HEAD']);
  });

  it('answers undefined for paths no route serves', () => {
    expect(registry.allowedMethods('/api/nothing')).toBeUndefined();
    expect(registry.allowedMethods('/api/orgs/1/2')).toBeUndefined();
    expect(registry.allowedMethods('/api/orgs//members')).toBeUndefined();
    expect(registry.allowedMethods('/files')).toBeUndefined();
    expect(registry.allowedMethods('/')).toBeUndefined();
  });
});

describe('mount', () => {
  function appWith(specs: AnyRouteSpec[], factory: MountDeps['jsonBody'] = jsonBody) {
    const registry = createRouteRegistry(info).addAll(specs);
    const app = express();
    const router = express.Router();
    registry.mount(router, { jsonBody: factory });
    app.use(router);
    app.use(problemHandler);
    return app;
  }

  it('serves a route and each of its aliases', async () => {
    const app = appWith([route('get', '/api/things/:id', 'things.get', {
      aliases: ['/api/stuff/:id', '/v1/things/:id'],
      params: z.object({ id: z.string() }),
      handler: ({ params }) => params,
    })]);
    for (const path of ['/api/things/7', '/api/stuff/7', '/v1/things/7']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: '7' });
    }
    expect(aliasOperationId('things.get', 0)).toBe('things.get.alias1');
  });

  it('sends a returned value with the status the handler chose', async () => {
    const app = appWith([
      route('post', '/api/things', 'things.create', { handler: ({ res }) => { res.status(201); return { id: 1 }; } }),
      route('delete', '/api/things/:id', 'things.delete', { handler: ({ res }) => { res.status(204); } }),
      route('get', '/api/things/:id/raw', 'things.raw', { handler: ({ res }) => { res.type('text/plain').send('raw'); } }),
    ]);
    const created = await request(app).post('/api/things');
    expect([created.status, created.body]).toEqual([201, { id: 1 }]);
    const deleted = await request(app).delete('/api/things/1');
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    const raw = await request(app).get('/api/things/1/raw');
    expect([raw.status, raw.text]).toEqual([200, 'raw']);
  });

  it('passes thrown and rejected errors to the error middleware', async () => {
    const app = appWith([
      route('get', '/api/sync', 'sync', { handler: () => { throw problem('NOT_FOUND', 'no such thing'); } }),
      route('get', '/api/async', 'async', { handler: async () => { throw problem('FORBIDDEN'); } }),
    ]);
    const a = await request(app).get('/api/sync');
    expect([a.status, a.body.code, a.body.detail]).toEqual([404, 'NOT_FOUND', 'no such thing']);
    const b = await request(app).get('/api/async');
    expect([b.status, b.body.code]).toEqual([403, 'FORBIDDEN']);
  });

  it('installs a body parser with the route limit and types only on methods with bodies, before validation and middleware', async () => {
    const calls: Array<JsonBodyFactoryOptions & { path?: string }> = [];
    const order: string[] = [];
    const factory = (options: JsonBodyFactoryOptions) => {
      calls.push(options);
      return (_req: Request, _res: Response, next: NextFunction) => { order.push('body'); next(); };
    };
    const app = appWith([
      route('get', '/api/a', 'a'),
      route('post', '/api/b', 'b', {
        bodyLimit: 5 * 1024 * 1024,
        bodyTypes: ['json', 'form'],
        middleware: [(_req, _res, next) => { order.push('middleware'); next(); }],
        handler: () => { order.push('handler'); return {}; },
      }),
      route('patch', '/api/c', 'c'),
    ], factory);
    expect(calls).toEqual([{ limit: 5 * 1024 * 1024, types: ['json', 'form'] }, { limit: 1_048_576, types: ['json'] }]);
    await request(app).post('/api/b');
    expect(order).toEqual(['body', 'middleware', 'handler']);
  });

  it('runs route middleware after validation', async () => {
    let reached = false;
    const app = appWith([route('post', '/api/guarded', 'guarded', {
      body: z.strictObject({ name: z.string() }),
      middleware: [(_req, _res, next) => { reached = true; next(); }],
    })]);
    const res = await request(app).post('/api/guarded').send({});
    expect(res.status).toBe(400);
    expect(reached).toBe(false);
  });

  it('answers 415 and 413 through the injected body parser', async () => {
    const app = appWith([route('post', '/api/small', 'small', { bodyLimit: 10, body: z.object({}).passthrough() })]);
    expect((await request(app).post('/api/small').set('Content-Type', 'text/plain').send('hi')).status).toBe(415);
    expect((await request(app).post('/api/small').send({ long: 'x'.repeat(100) })).status).toBe(413);
  });
});
