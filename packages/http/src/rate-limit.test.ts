import { randomUUID } from 'node:crypto';
import express from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemHandler } from './problem-middleware.js';
import {
  createRateLimiter,
  createRateLimitStore,
  MemoryRateLimitStore,
  RedisRateLimitStore,
  scaledLimit,
  type RateLimitStore,
} from './rate-limit.js';
import { requestContext } from './request-context.js';
import { captureLogger } from './test-support.js';

function app(limiter: express.RequestHandler) {
  const { logger } = captureLogger();
  const a = express();
  a.use(requestContext({ logger }));
  a.get('/limited', limiter, (_req, res) => {
    res.json({ ok: true });
  });
  a.use(problemHandler({ logger }));
  return a;
}

describe('createRateLimiter middleware', () => {
  it('carries X-RateLimit-* headers, then answers 429 with Retry-After and retryAfter', async () => {
    const limiter = createRateLimiter({ name: 'test.ip', limit: 2, key: () => 'client' });
    const a = app(limiter);
    const first = await request(a).get('/limited').expect(200);
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    const reset = Number(first.headers['x-ratelimit-reset']);
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 60);
    await request(a).get('/limited').expect(200);
    const over = await request(a).get('/limited');
    expect(over.status).toBe(429);
    expect(over.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(over.body).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    const retryAfter = Number(over.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(over.body.retryAfter).toBe(retryAfter);
    expect(over.headers['x-ratelimit-limit']).toBe('2');
    expect(over.headers['x-ratelimit-remaining']).toBe('0');
    expect(over.headers['x-ratelimit-reset']).toMatch(/^\d+$/);
  });

  it('skips requests without a key and scales limits', async () => {
    const limiter = createRateLimiter({ name: 'test.none', limit: 1, key: () => undefined });
    const a = app(limiter);
    await request(a).get('/limited').expect(200);
    await request(a).get('/limited').expect(200);
    expect(scaledLimit(30, 100)).toBe(3000);
    expect(scaledLimit(5, 0.01)).toBe(1);
    expect(createRateLimiter({ name: 's', limit: 10, scale: 3, key: () => 'k' }).limit).toBe(30);
  });

  it('fails open and warns when the store fails or hangs', async () => {
    const { logger, lines } = captureLogger();
    const broken: RateLimitStore = {
      increment: () => Promise.reject(new Error('store down')),
      get: () => new Promise(() => undefined),
      reset: () => Promise.reject(new Error('store down')),
    };
    const limiter = createRateLimiter({ name: 'test.broken', limit: 1, key: () => 'k', store: broken, logger, storeTimeoutMs: 50 });
    const a = app(limiter);
    await request(a).get('/limited').expect(200);
    await request(a).get('/limited').expect(200);
    expect((await limiter.peek('k', logger)).allowed).toBe(true);
    expect(lines().some((l) => l.level === 'warn' && String(l.msg).includes('rate limit store failed'))).toBe(true);
  });
});

describe('limiter.hit / peek / reset (failure-only counting)', () => {
  it('locks an account after N counted failures until reset', async () => {
    const limiter = createRateLimiter({ name: 'login.account', limit: 3, windowMs: 15 * 60_000, key: () => undefined });
    expect((await limiter.peek('a@x.io')).allowed).toBe(true);
    for (let i = 0; i < 3; i++) await limiter.hit('a@x.io');
    const state = await limiter.peek('a@x.io');
    expect(state).toMatchObject({ allowed: false, remaining: 0, limit: 3 });
    expect(state.retryAfterSeconds).toBeGreaterThan(800);
    expect((await limiter.peek('b@x.io')).allowed).toBe(true);
    await limiter.reset('a@x.io');
    expect((await limiter.peek('a@x.io')).allowed).toBe(true);
  });
});

describe('MemoryRateLimitStore', () => {
  it('starts a new window after the old one ends and keeps memory bounded', async () => {
    let now = 1_000_000;
    const store = new MemoryRateLimitStore({ maxKeys: 3, now: () => now });
    expect((await store.increment('a', 1000)).count).toBe(1);
    expect((await store.increment('a', 1000)).count).toBe(2);
    now += 1001;
    expect((await store.increment('a', 1000))).toEqual({ count: 1, resetAt: now + 1000 });
    for (const k of ['b', 'c', 'd', 'e']) await store.increment(k, 1000);
    expect(store.size).toBe(3);
    now += 5000;
    await store.increment('f', 1000);
    expect(store.size).toBe(1);
    expect(await store.get('b')).toBeUndefined();
  });
});

describe('RedisRateLimitStore (real Redis at 127.0.0.1:6379)', () => {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
  const prefix = `symbia:rl:test:${randomUUID()}:`;
  let available = false;

  beforeAll(async () => {
    try {
      await redis.connect();
      available = (await redis.ping()) === 'PONG';
    } catch {
      available = false;
    }
  });
  afterAll(async () => {
    if (available) {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('counts in one window with a TTL, peeks and resets', async (ctx) => {
    if (!available) ctx.skip();
    const store = new RedisRateLimitStore(redis, { prefix });
    const first = await store.increment('k1', 2_000);
    expect(first.count).toBe(1);
    expect(first.resetAt - Date.now()).toBeGreaterThan(1_000);
    expect((await store.increment('k1', 2_000)).count).toBe(2);
    const ttl = await redis.pttl(`${prefix}k1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
    expect((await store.get('k1'))?.count).toBe(2);
    expect(await store.get('missing')).toBeUndefined();
    await store.reset('k1');
    expect(await store.get('k1')).toBeUndefined();
  });

  it('expires the window', async (ctx) => {
    if (!available) ctx.skip();
    const store = new RedisRateLimitStore(redis, { prefix });
    await store.increment('k2', 100);
    await new Promise((r) => setTimeout(r, 200));
    expect((await store.increment('k2', 100)).count).toBe(1);
  });

  it('enforces a limit shared by two limiters (two replicas)', async (ctx) => {
    if (!available) ctx.skip();
    const make = () => createRateLimiter({ name: 'shared', limit: 3, key: () => 'ip', store: new RedisRateLimitStore(redis, { prefix }) });
    const [a, b] = [app(make()), app(make())];
    await request(a).get('/limited').expect(200);
    await request(b).get('/limited').expect(200);
    await request(a).get('/limited').expect(200);
    const over = await request(b).get('/limited');
    expect(over.status).toBe(429);
  });

  it('createRateLimitStore picks Redis only when REDIS_URL is set', async (ctx) => {
    expect(createRateLimitStore({})).toBeInstanceOf(MemoryRateLimitStore);
    if (!available) ctx.skip();
    const store = createRateLimitStore({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(store).toBeInstanceOf(RedisRateLimitStore);
    await new Promise((r) => setTimeout(r, 100));
    const key = `test:${randomUUID()}`;
    expect((await store.increment(key, 1_000)).count).toBe(1);
    await store.reset(key);
    await store.close?.();
  });
});
