import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonBody } from './body.js';
import { isHttpProblem, problemBody } from './errors.js';
import { createRouteRegistry } from './registry.js';
import { defineRoute, type AnyRouteSpec } from './route.js';
import { paginationQuery } from './schemas.js';
import { checkBodyShape, MAX_BODY_DEPTH, nulIssues } from './validate.js';

/** Stand-in for the shell's problem middleware, enough to see the problem+json bodies. */
function problemHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (isHttpProblem(err)) {
    res.status(err.status).type('application/problem+json').json(problemBody(err, 'req-test'));
    return;
  }
  res.status(500).json({ code: 'INTERNAL_ERROR' });
}

function appWith(...specs: AnyRouteSpec[]) {
  const registry = createRouteRegistry({ service: 'test', name: 'Test', version: '1.0.0', description: 'Test service' });
  registry.addAll(specs);
  const app = express();
  const router = express.Router();
  registry.mount(router, { jsonBody });
  app.use(router);
  app.use(problemHandler);
  return app;
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const echo = ({ params, query, body }: { params: unknown; query: unknown; body: unknown }) => ({ params, query, body });

const ingest = defineRoute({
  method: 'post',
  path: '/api/streams/:streamId/entries',
  operationId: 'entries.ingest',
  summary: 'Ingest',
  auth: 'none',
  params: z.object({ streamId: z.uuid() }),
  query: paginationQuery,
  body: z.strictObject({
    entries: z.array(z.strictObject({ level: z.enum(['info', 'error']), message: z.string().max(10) })).max(5),
  }),
  responses: { 200: { description: 'ok' } },
  handler: echo,
});

const STREAM = '6f1c8e5e-6d4b-4a61-9a0e-1f2b3c4d5e6f';

describe('checkBodyShape', () => {
  it('accepts ordinary bodies and primitives', () => {
    expect(checkBodyShape({ a: [1, { b: 'c' }], constructorName: 'x' })).toEqual([]);
    expect(checkBodyShape('text')).toEqual([]);
    expect(checkBodyShape(undefined)).toEqual([]);
  });

  it('finds forbidden keys at any depth, including __proto__ kept as an own key by JSON.parse', () => {
    const body = JSON.parse('{"a":{"list":[{"__proto__":{"x":1}}]},"constructor":1,"b":{"prototype":2}}');
    const paths = checkBodyShape(body).map((i) => [i.path, i.code]);
    expect(paths).toEqual(expect.arrayContaining([['a.list.0.__proto__', 'forbidden_key'], ['constructor', 'forbidden_key'], ['b.prototype', 'forbidden_key']]));
    expect(paths).toHaveLength(3);
  });

  it('allows 32 levels of nesting and refuses 33', () => {
    expect(checkBodyShape(nested(MAX_BODY_DEPTH))).toEqual([]);
    const issues = checkBodyShape(nested(MAX_BODY_DEPTH + 1));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ location: 'body', code: 'too_deep', path: Array(MAX_BODY_DEPTH).fill('a').join('.') });
  });

  it('walks a very deep body without recursion', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(checkBodyShape(deep)).toHaveLength(1);
  });
});

describe('validateRequest', () => {
  const app = appWith(ingest);

  it('passes validated params, query and body to the handler', async () => {
    const res = await request(app)
      .post(`/api/streams/${STREAM}/entries?limit=500&ignored=1`)
      .send({ entries: [{ level: 'info', message: 'hi' }] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ params: { streamId: STREAM }, query: { limit: 200 }, body: { entries: [{ level: 'info', message: 'hi' }] } });
  });

  it('reports every failing field across params, query and body in one problem', async () => {
    const res = await request(app)
      .post('/api/streams/nope/entries?limit=0')
      .send({ entries: [{ level: 'info', message: 'ok' }, { level: 'info', message: 'ok' }, { level: 'info', message: 'ok' }, { level: 'loud', message: 'x'.repeat(11) }], extra: true });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, type: 'urn:symbia:problem:VALIDATION_FAILED', requestId: 'req-test' });
    const byPath = Object.fromEntries(res.body.errors.map((e: { location: string; path: string; code: string }) => [`${e.location}:${e.path}`, e.code]));
    expect(byPath).toEqual({
      'params:streamId': 'invalid_format',
      'query:limit': 'too_small',
      'body:entries.3.level': 'invalid_value',
      'body:entries.3.message': 'too_big',
      'body:extra': 'unrecognized_keys',
    });
    for (const e of res.body.errors) expect(typeof e.message).toBe('string');
  });

  it('names each missing required field of an empty body', async () => {
    const res = await request(app).post(`/api/streams/${STREAM}/entries`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ location: 'body', path: 'entries', message: expect.any(String), code: 'invalid_type' }]);
  });

  it('refuses __proto__ and excessive depth whatever the schema', async () => {
    const proto = await request(app)
      .post(`/api/streams/${STREAM}/entries`)
      .set('Content-Type', 'application/json')
      .send('{"entries":[],"__proto__":{"admin":true}}');
    expect(proto.status).toBe(400);
    expect(proto.body.errors).toEqual([{ location: 'body', path: '__proto__', message: expect.any(String), code: 'forbidden_key' }]);

    const deep = await request(app).post(`/api/streams/${STREAM}/entries`).send({ entries: [], x: nested(40) });
    expect(deep.status).toBe(400);
    expect(deep.body.errors[0]).toMatchObject({ location: 'body', code: 'too_deep' });
  });
});

describe('bodies of routes without required fields', () => {
  const optionalBody = defineRoute({
    method: 'post', path: '/api/jobs', operationId: 'jobs.create', summary: 'Create', auth: 'none',
    body: z.strictObject({ note: z.string().optional() }),
    responses: { 200: { description: 'ok' } }, handler: echo,
  });
  const noBody = defineRoute({
    method: 'post', path: '/api/jobs/run', operationId: 'jobs.run', summary: 'Run', auth: 'none',
    responses: { 200: { description: 'ok' } }, handler: echo,
  });
  const app = appWith(optionalBody, noBody);

  it('reads an empty POST body as {}', async () => {
    const res = await request(app).post('/api/jobs');
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({});
  });

  it('takes an empty body or {} on a route that declares none, and names any field sent', async () => {
    expect((await request(app).post('/api/jobs/run')).body.body).toEqual({});
    expect((await request(app).post('/api/jobs/run').send({})).status).toBe(200);
    const res = await request(app).post('/api/jobs/run').send({ force: true });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ location: 'body', path: 'force', message: 'Unknown field "force"', code: 'unrecognized_keys' }]);
  });
});

describe('headers', () => {
  const app = appWith(defineRoute({
    method: 'get', path: '/api/things', operationId: 'things.list', summary: 'List', auth: 'none',
    headers: z.object({ 'x-data-class': z.enum(['none', 'pii']).optional() }),
    responses: { 200: { description: 'ok' } },
    handler: ({ req }) => ({ headers: req.valid.headers }),
  }));

  it('validates declared headers with location "headers"', async () => {
    const ok = await request(app).get('/api/things').set('X-Data-Class', 'pii');
    expect(ok.body.headers).toEqual({ 'x-data-class': 'pii' });
    const bad = await request(app).get('/api/things').set('X-Data-Class', 'weird');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ location: 'headers', path: 'x-data-class' });
  });
});

describe('§1.1 default caps on body strings and arrays', () => {
  it('refuses strings over 10 000 characters and arrays over 1 000 items, naming the path', () => {
    const issues = checkBodyShape({ a: 'x'.repeat(10_001), ok: 'y'.repeat(10_000), list: new Array(1_001).fill(1), inner: { xs: ['z'.repeat(10_001)] } });
    expect(issues.map((i) => `${i.path}:${i.code}`).sort()).toEqual(['a:too_big', 'inner.xs.0:too_big', 'list:too_big']);
  });
  it('lets a route raise the caps', () => {
    expect(checkBodyShape({ file: 'x'.repeat(50_000) }, { maxStringLength: 100_000 })).toEqual([]);
  });
});

describe('NUL characters', () => {
  it('are refused in bodies (values and keys) and in params and query values', () => {
    expect(checkBodyShape({ name: 'a\u0000b', ['k\u0000']: 1 }).map((i) => `${i.path}:${i.code}`).sort()).toEqual(['k\u0000:invalid_string', 'name:invalid_string']);
    expect(nulIssues('params', { id: 'ent_\u0000' })).toHaveLength(1);
    expect(nulIssues('query', { q: ['ok', 'x\u0000'] })[0]).toMatchObject({ location: 'query', path: 'q' });
    expect(nulIssues('query', { q: 'fine' })).toEqual([]);
  });
});
