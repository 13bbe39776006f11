import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonBody } from './body.js';
import { problemHandler } from './problem-middleware.js';
import { requestContext } from './request-context.js';
import { captureLogger } from './test-support.js';

function app() {
  const { logger } = captureLogger();
  const a = express();
  a.use(requestContext({ logger }));
  a.post('/json', jsonBody({ limit: 64 }), (req, res) => {
    res.json({ body: req.body === undefined ? 'undefined' : req.body, protoOwn: Object.hasOwn(Object(req.body), '__proto__') });
  });
  a.post('/form', jsonBody({ limit: 64, types: ['json', 'form'] }), (req, res) => {
    res.json({ body: req.body });
  });
  a.use(problemHandler({ logger }));
  return a;
}

describe('jsonBody', () => {
  it('parses JSON, with a charset and with +json types', async () => {
    const a = app();
    await request(a).post('/json').set('Content-Type', 'application/json').send('{"a":1}').expect(200, { body: { a: 1 }, protoOwn: false });
    await request(a).post('/json').set('Content-Type', 'application/json; charset=UTF-8').send('{"a":2}').expect(200);
    await request(a).post('/json').set('Content-Type', 'application/merge-patch+json').send('{"a":3}').expect(200);
  });

  it('leaves req.body undefined when there is no body', async () => {
    await request(app()).post('/json').expect(200, { body: 'undefined', protoOwn: false });
    await request(app()).post('/json').set('Content-Type', 'application/json').set('Content-Length', '0').expect(200, { body: 'undefined', protoOwn: false });
  });

  it('keeps __proto__ as an own key for the validator to reject', async () => {
    const res = await request(app()).post('/json').set('Content-Type', 'application/json').send('{"__proto__":{"x":1}}').expect(200);
    expect(res.body.protoOwn).toBe(true);
  });

  it('answers 400 MALFORMED_JSON for bad JSON and invalid UTF-8', async () => {
    const res = await request(app()).post('/json').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const bad = await request(app()).post('/json').set('Content-Type', 'application/json').serialize((b: unknown) => b as string).send(Buffer.from([0x22, 0xff, 0xfe, 0x22]) as unknown as string);
    expect(bad.body.code).toBe('MALFORMED_JSON');
  });

  it('answers 415 for other content types, non-UTF-8 charsets and compressed bodies', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'application/jsonx']) {
      const res = await request(app()).post('/json').set('Content-Type', type).send('{"a":1}');
      expect(res.status, type).toBe(415);
      expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const noType = await request(app()).post('/json').send(Buffer.from('{"a":1}'));
    expect(noType.status).toBe(415);
    const gz = await request(app()).post('/json').set('Content-Type', 'application/json').set('Content-Encoding', 'gzip').send('{"a":1}');
    expect(gz.status).toBe(415);
  });

  it('parses forms only where the route accepts them', async () => {
    const res = await request(app()).post('/form').type('form').send('token=abc&token_type_hint=access_token').expect(200);
    expect(res.body.body).toEqual({ token: 'abc', token_type_hint: 'access_token' });
  });

  it('refuses a declared Content-Length over the limit with 413', async () => {
    const res = await request(app()).post('/json').set('Content-Type', 'application/json').send(JSON.stringify({ a: 'x'.repeat(100) }));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('jsonBody with chunked uploads', () => {
  let server: ReturnType<ReturnType<typeof express>['listen']>;
  let port: number;
  beforeAll(async () => {
    server = app().listen(0);
    await new Promise((r) => server.once('listening', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function chunked(chunks: string[], keepWriting = false): Promise<{ status: number; body: any }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { port, method: 'POST', path: '/json', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
        },
      );
      req.on('error', (err) => (keepWriting ? undefined : reject(err)));
      for (const c of chunks) req.write(c);
      if (keepWriting) {
        // A client that keeps streaming: the server must answer without waiting for the end.
        const timer = setInterval(() => {
          if (!req.destroyed && req.writable) req.write('x'.repeat(32));
        }, 5);
        req.on('close', () => clearInterval(timer));
        req.on('response', () => setTimeout(() => {
          clearInterval(timer);
          req.destroy();
        }, 50));
      } else req.end();
    });
  }

  it('parses a chunked body within the limit', async () => {
    expect(await chunked(['{"a"', ':1}'])).toEqual({ status: 200, body: { body: { a: 1 }, protoOwn: false } });
  });

  it('stops reading and answers 413 once a chunked body passes the limit', async () => {
    const res = await chunked(['{"a":"', 'x'.repeat(40), 'x'.repeat(40)], true);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
