import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { problemBody, HttpProblem } from './errors.js';

/** Shared between the server (which sets it) and readiness (which reads it). */
export interface DrainState {
  draining: boolean;
}

export function createDrainState(): DrainState {
  return { draining: false };
}

/** While draining, ask keep-alive clients to reconnect, so balancers move them to other replicas. */
export function closeConnectionsWhileDraining(drain: DrainState): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (drain.draining) res.setHeader('Connection', 'close');
    next();
  };
}

export interface StartServerOptions {
  port: number;
  host?: string;
  logger: Logger;
  /** Set on shutdown so readiness turns 503 at once; defaults to the app's own (`app.locals.drain`). */
  drain?: DrainState;
  /** Run in order after the server stopped: close the relay, then the database… */
  onShutdown?: Array<() => Promise<void>>;
  /** `SHUTDOWN_GRACE_MS`: how long readiness is 503 before the listener closes. */
  graceMs?: number;
  /** How long in-flight requests may still run after the listener closed. */
  drainMs?: number;
  /** Budget of each shutdown hook. */
  hookTimeoutMs?: number;
  /** 30 s; integrations, assistants and logging AI routes use 120 s. */
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
}

export interface ServerHandle {
  server: Server;
  port: number;
  /** Idempotent: every call returns the same promise. */
  shutdown(): Promise<void>;
}

const MAX_HEADER_BYTES = 16 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function bounded(promise: Promise<unknown>, ms: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([promise.then(() => 'done' as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Node answers oversized headers itself, with a bare 431; this writes the problem body instead,
 * then closes the connection, since the parser state of that socket is lost.
 */
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const code = err.code === 'HPE_HEADER_OVERFLOW' ? 'REQUEST_HEADER_FIELDS_TOO_LARGE' : undefined;
  if (!code) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const requestId = randomUUID();
  const body = JSON.stringify(problemBody(new HttpProblem(code, { detail: 'Request headers exceed 16 KiB' }), requestId));
  socket.end(
    `HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: application/problem+json\r\n` +
      `X-Request-Id: ${requestId}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Listens with the limits of outline §1.7 and returns a handle whose `shutdown` drains gracefully. */
export async function startServer(app: RequestListener & { locals?: Record<string, unknown> }, options: StartServerOptions): Promise<ServerHandle> {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: 1_000 }, app);
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 5_000;
  server.on('clientError', onClientError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const log = options.logger;
  log.info({ port }, 'listening');

  const drain = options.drain ?? (app.locals?.drain as DrainState | undefined) ?? createDrainState();
  let shuttingDown: Promise<void> | undefined;

  const run = async () => {
    drain.draining = true;
    log.info({ graceMs: options.graceMs ?? 2_000 }, 'draining: readiness is now 503');
    await sleep(options.graceMs ?? 2_000);

    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive sockets that finish their request go idle; close them as they do instead of waiting for their timeout.
    const sweeper = setInterval(() => server.closeIdleConnections(), 100);
    const drained = await bounded(closed, options.drainMs ?? 10_000);
    clearInterval(sweeper);
    if (drained === 'timeout') {
      log.warn('drain timed out; closing remaining connections');
      server.closeAllConnections();
      await closed;
    }

    for (const hook of options.onShutdown ?? []) {
      try {
        const outcome = await bounded(hook(), options.hookTimeoutMs ?? 5_000);
        if (outcome === 'timeout') log.warn('a shutdown hook timed out');
      } catch (err) {
        log.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'a shutdown hook failed');
      }
    }
    log.info('shutdown complete');
  };

  return {
    server,
    port,
    shutdown: () => (shuttingDown ??= run()),
  };
}

export interface SignalHandlerOptions {
  logger?: Logger;
  /** Replaced in tests; `process.exit` otherwise. */
  exit?: (code: number) => void;
  signals?: NodeJS.Signals[];
}

/**
 * The only process-global part of shutdown, kept apart so tests can drive `shutdown()` without
 * installing handlers. A second signal while draining exits at once.
 */
export function installSignalHandlers(handle: ServerHandle, options: SignalHandlerOptions = {}): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let received = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      options.logger?.warn({ signal }, 'second signal; exiting now');
      exit(1);
      return;
    }
    received = true;
    options.logger?.info({ signal }, 'shutting down');
    handle.shutdown().then(
      () => exit(0),
      (err: unknown) => {
        options.logger?.error({ err: { message: err instanceof Error ? err.message : String(err) } }, 'shutdown failed');
        exit(1);
      },
    );
  };
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
