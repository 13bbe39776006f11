import { connect } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createHealthRouter } from './health.js';
import { closeConnectionsWhileDraining, createDrainState, installSignalHandlers, startServer, type ServerHandle } from './server.js';
import { captureLogger } from './test-support.js';

function app(drain = createDrainState()) {
  const a = express();
  a.use(closeConnectionsWhileDraining(drain));
  a.use(createHealthRouter({ service: 'test', version: '0.0.0', checks: { database: async () => true }, isDraining: () => drain.draining }));
  a.get('/slow', async (_req, res) => {
    await new Promise((r) => setTimeout(r, 400));
    res.json({ done: true });
  });
  return { app: a, drain };
}

async function start(graceMs: number, extra: Partial<Parameters<typeof startServer>[1]> = {}) {
  const { app: a, drain } = app();
  const { logger } = captureLogger();
  const handle = await startServer(a, { port: 0, host: '127.0.0.1', logger, drain, graceMs, drainMs: 2_000, ...extra });
  return { handle, drain, url: `http://127.0.0.1:${handle.port}` };
}

describe('startServer', () => {
  it('applies the timeouts and header limit', async () => {
    const { handle } = await start(0);
    expect(handle.server.requestTimeout).toBe(30_000);
    expect(handle.server.headersTimeout).toBe(10_000);
    expect((handle.server as unknown as { maxHeaderSize: number }).maxHeaderSize).toBe(16 * 1024);
    await handle.shutdown();
  });

  it('answers oversized headers with 431', async () => {
    const { handle, url } = await start(0);
    const res = await fetch(`${url}/health/live`, { headers: { 'X-Big': 'a'.repeat(20 * 1024) } });
    expect(res.status).toBe(431);
    expect(((await res.json()) as { code: string }).code).toBe('REQUEST_HEADER_FIELDS_TOO_LARGE');
    await handle.shutdown();
  });

  it('drains: ready turns 503 at once, in-flight requests finish, then new connections are refused', async () => {
    const hooks: string[] = [];
    const { handle, drain, url } = await start(200, {
      onShutdown: [async () => void hooks.push('relay'), async () => void hooks.push('db')],
    });
    const slow = fetch(`${url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 50));
    const done = handle.shutdown();
    expect(handle.shutdown()).toBe(done);
    expect(drain.draining).toBe(true);

    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect(await ready.json()).toMatchObject({ status: 'unavailable' });

    expect(await slow).toEqual({ status: 200, body: { done: true } });
    await done;
    expect(hooks).toEqual(['relay', 'db']);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(handle.port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('closes connections that outlive the drain budget and survives failing hooks', async () => {
    const { handle, url } = await start(0, {
      drainMs: 100,
      hookTimeoutMs: 50,
      onShutdown: [async () => Promise.reject(new Error('boom')), () => new Promise<void>(() => undefined)],
    });
    const slow = fetch(`${url}/slow`).then(
      (r) => r.status,
      () => 'reset',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await handle.shutdown();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await slow).toBe('reset');
  });
});

describe('installSignalHandlers', () => {
  it('shuts down on a signal and exits 0', async () => {
    const { handle } = await start(0);
    const exits: number[] = [];
    const exited = new Promise<void>((resolve) => {
      const uninstall = installSignalHandlers(handle as ServerHandle, {
        signals: ['SIGUSR2'],
        exit: (code) => {
          exits.push(code);
          uninstall();
          resolve();
        },
      });
    });
    process.emit('SIGUSR2', 'SIGUSR2');
    await exited;
    expect(exits).toEqual([0]);
    expect(handle.server.listening).toBe(false);
  });
});
