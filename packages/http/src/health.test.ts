import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createHealthRouter, type CheckState } from './health.js';

function app(state: { db: boolean | 'hang' | 'throw'; identity?: CheckState | 'hang'; draining?: boolean }) {
  const a = express();
  a.use(
    createHealthRouter({
      service: 'logging',
      version: '1.0.0',
      checkTimeoutMs: 100,
      isDraining: () => state.draining ?? false,
      checks: {
        database: async () => {
          if (state.db === 'hang') return new Promise<boolean>(() => undefined);
          if (state.db === 'throw') throw new Error('down');
          return state.db;
        },
        identity: async () => (state.identity === 'hang' ? new Promise<CheckState>(() => undefined) : (state.identity ?? 'ok')),
        network: async () => 'disabled',
      },
    }),
  );
  return a;
}

describe('health router', () => {
  it('serves liveness unconditionally', async () => {
    const res = await request(app({ db: false, draining: true })).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('is ready with every check when the database answers', async () => {
    const res = await request(app({ db: true })).get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: 'ok', identity: 'ok', network: 'disabled' } });
  });

  it('is not ready when the database fails, throws or does not answer in time', async () => {
    for (const db of [false, 'throw', 'hang'] as const) {
      const res = await request(app({ db })).get('/health/ready');
      expect(res.status, String(db)).toBe(503);
      expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'down', identity: 'ok', network: 'disabled' } });
    }
  });

  it('is not ready while draining', async () => {
    const res = await request(app({ db: true, draining: true })).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.status).toBe('unavailable');
  });

  it('reports /health with the full shape, degraded when an optional dependency is down', async () => {
    const ok = await request(app({ db: true })).get('/health').expect(200);
    expect(ok.body).toMatchObject({ status: 'ok', service: 'logging', version: '1.0.0' });
    expect(ok.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Number.isInteger(ok.body.uptimeSeconds)).toBe(true);
    const degraded = await request(app({ db: true, identity: 'hang' })).get('/health').expect(200);
    expect(degraded.body).toMatchObject({ status: 'degraded', checks: { database: 'ok', identity: 'down' } });
    const down = await request(app({ db: false, identity: 'down' })).get('/health').expect(503);
    expect(down.body).toMatchObject({ status: 'unavailable', service: 'logging', checks: { database: 'down' } });
  });

  it('runs the checks concurrently', async () => {
    const started = Date.now();
    await request(app({ db: 'hang', identity: 'hang' })).get('/health');
    expect(Date.now() - started).toBeLessThan(180);
  });
});
