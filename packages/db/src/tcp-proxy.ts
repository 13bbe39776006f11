import net from 'node:net';

export interface TcpProxy {
  /** The loopback port clients connect to; stays the same across pause/resume. */
  port: number;
  /**
   * Destroys every live connection and stops accepting new ones. To a `pg` pool this is what a
   * Postgres restart looks like: established sockets drop, new connects are refused.
   */
  pause(): Promise<void>;
  /** Accepts connections again on the same port, as a restarted server would. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/**
 * A byte-for-byte TCP forwarder to `targetHost:targetPort`, for tests that need to cut a real
 * database connection and restore it without touching the real server (which other test workers
 * share).
 */
export async function createTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();

  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const createServer = () =>
    net.createServer((downstream) => {
      const upstream = net.connect(targetPort, targetHost);
      track(downstream);
      track(upstream);
      // Either side failing ends the pair, as a dropped link would.
      const cut = () => {
        downstream.destroy();
        upstream.destroy();
      };
      downstream.on('error', cut).on('close', cut);
      upstream.on('error', cut).on('close', cut);
      downstream.pipe(upstream);
      upstream.pipe(downstream);
    });

  let server: net.Server | undefined = createServer();
  const port = await listen(server, 0);

  const stop = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };

  return {
    port,
    pause: stop,
    async resume() {
      if (server) return;
      const next = createServer();
      await listen(next, port);
      server = next;
    },
    close: stop,
  };
}
