import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createServiceApp } from './app.js';
import { defineRoute } from './route.js';
import { parseTrustProxy, serviceOptionsFromEnv, type TrustProxy } from './service-env.js';
import { captureLogger } from './test-support.js';

describe('serviceOptionsFromEnv', () => {
  it('reads the shell variables with their defaults', () => {
    expect(serviceOptionsFromEnv('logging', {})).toEqual({
      service: 'logging',
      port: 5002,
      production: false,
      corsAllowedOrigins: [],
      trustProxy: false,
      defaultEnv: 'dev',
      logLevel: 'info',
      shutdownGraceMs: 2_000,
      redisUrl: undefined,
      rateLimitScale: 1,
      identityUrl: 'http://127.0.0.1:5001',
    });
    const opts = serviceOptionsFromEnv('catalog', {
      NODE_ENV: 'production',
      CORS_ALLOWED_ORIGINS: 'https://app.symbia.dev, https://*.example.com',
      TRUST_PROXY: 'loopback, 10.0.0.0/8',
      SYMBIA_ENV: 'staging',
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '500',
      REDIS_URL: 'redis://cache:6379',
      SYMBIA_RATE_LIMIT_SCALE: '100',
      IDENTITY_SERVICE_URL: 'https://identity.internal/',
    });
    expect(opts).toMatchObject({
      port: 5003,
      production: true,
      corsAllowedOrigins: ['https://app.symbia.dev', 'https://*.example.com'],
      trustProxy: 'loopback, 10.0.0.0/8',
      defaultEnv: 'staging',
      logLevel: 'warn',
      shutdownGraceMs: 500,
      redisUrl: 'redis://cache:6379',
      rateLimitScale: 100,
      identityUrl: 'https://identity.internal',
    });
  });

  it('refuses bad values at start', () => {
    expect(() => serviceOptionsFromEnv('logging', { SYMBIA_RATE_LIMIT_SCALE: 'fast' })).toThrow(/SYMBIA_RATE_LIMIT_SCALE/);
    expect(() => serviceOptionsFromEnv('logging', { SYMBIA_RATE_LIMIT_SCALE: '0' })).toThrow(/SYMBIA_RATE_LIMIT_SCALE/);
    expect(() => serviceOptionsFromEnv('logging', { SHUTDOWN_GRACE_MS: '1.5' })).toThrow(/SHUTDOWN_GRACE_MS/);
    expect(() => serviceOptionsFromEnv('logging', { SYMBIA_ENV: 'Prod Env' })).toThrow(/SYMBIA_ENV/);
  });

  it('parses TRUST_PROXY like Express expects it', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback')).toBe('loopback');
  });
});

describe('trust proxy and rate-limit keys', () => {
  function app(trustProxy: TrustProxy) {
    const svc = createServiceApp({
      service: 'proxy-test',
      version: '0.0.0',
      description: 'd',
      logger: captureLogger().logger,
      port: 1,
      corsAllowedOrigins: [],
      production: true,
      trustProxy,
      identityUrl: 'http://127.0.0.1:5001',
      databaseCheck: async () => true,
      defaultMetrics: false,
    });
    const limit = svc.rateLimiter({ name: 'ip', limit: 1, key: (req) => req.ip });
    svc.registry.add(
      defineRoute({
        method: 'get',
        path: '/api/ip',
        operationId: 'ip',
        summary: 'ip',
        auth: 'none',
        middleware: [limit],
        responses: { 200: { description: 'ok' } },
        handler: ({ req }) => ({ ip: req.ip }),
      }),
    );
    return svc.finalize();
  }

  it('ignores X-Forwarded-For when TRUST_PROXY is unset, so a client cannot pick its own key', async () => {
    const a = app(false);
    await request(a).get('/api/ip').set('X-Forwarded-For', '1.1.1.1').expect(200);
    const second = await request(a).get('/api/ip').set('X-Forwarded-For', '2.2.2.2');
    expect(second.status).toBe(429);
  });

  it('uses X-Forwarded-For from a trusted proxy', async () => {
    const a = app('loopback');
    const first = await request(a).get('/api/ip').set('X-Forwarded-For', '1.1.1.1').expect(200);
    expect(first.body.ip).toBe('1.1.1.1');
    await request(a).get('/api/ip').set('X-Forwarded-For', '2.2.2.2').expect(200);
  });
});
