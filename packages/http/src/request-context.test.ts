import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { outboundTraceparent, parseTraceparent, requestContext } from './request-context.js';
import { captureLogger } from './test-support.js';

function app() {
  const { logger } = captureLogger();
  const a = express();
  a.use(requestContext({ logger, defaultEnv: 'staging' }));
  a.get('/ctx', (req, res) => {
    res.json({ ...req.ctx, log: undefined, outbound: outboundTraceparent(req) });
  });
  a.get('/boom', () => {
    throw new Error('x');
  });
  return a;
}

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('parseTraceparent', () => {
  it('accepts a valid header and rejects malformed or all-zero ids', () => {
    expect(parseTraceparent(TP)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: '01' });
    expect(parseTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBeUndefined();
    expect(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent('garbage')).toBeUndefined();
  });
});

describe('requestContext', () => {
  it('keeps a valid inbound request id and continues the traceparent', async () => {
    const res = await request(app()).get('/ctx').set('X-Request-Id', 'abc.DEF:1-2_3').set('traceparent', TP).expect(200);
    expect(res.headers['x-request-id']).toBe('abc.DEF:1-2_3');
    expect(res.headers['x-trace-id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(res.body).toMatchObject({
      requestId: 'abc.DEF:1-2_3',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentSpanId: '00f067aa0ba902b7',
      tenant: { env: 'staging', dataClass: 'none', policyRef: 'policy/default' },
    });
    expect(res.body.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(res.body.outbound).toBe(`00-4bf92f3577b34da6a3ce929d0e0e4736-${res.body.spanId}-01`);
    expect(typeof res.body.startedAt).toBe('number');
  });

  it('replaces an invalid request id and prefers a valid X-Trace-Id', async () => {
    const res = await request(app()).get('/ctx').set('X-Request-Id', 'bad id with spaces').set('X-Trace-Id', 'my-trace-1').set('traceparent', TP);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-trace-id']).toBe('my-trace-1');
    // The outbound traceparent still continues the W3C trace, not the label.
    expect(res.body.outbound.startsWith('00-4bf92f3577b34da6a3ce929d0e0e4736-')).toBe(true);
  });

  it('rejects an over-long request id and an invalid X-Trace-Id, minting new ids', async () => {
    const res = await request(app()).get('/ctx').set('X-Request-Id', 'a'.repeat(129)).set('X-Trace-Id', 'bad_trace!');
    expect(res.headers['x-request-id']).not.toBe('a'.repeat(129));
    expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sets the id headers on 404s and errors too', async () => {
    const a = app();
    const notFound = await request(a).get('/nowhere').set('X-Request-Id', 'r-404');
    expect(notFound.status).toBe(404);
    expect(notFound.headers['x-request-id']).toBe('r-404');
    expect(notFound.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    const failed = await request(a).get('/boom').set('X-Request-Id', 'r-500');
    expect(failed.status).toBe(500);
    expect(failed.headers['x-request-id']).toBe('r-500');
  });
});
