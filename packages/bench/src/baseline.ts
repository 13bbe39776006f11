import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHttp } from './http.js';
import { measureHttp, type LoadResult } from './load.js';
import type { ProcessGroup } from './processes.js';
import type { BenchSettings } from './settings.js';

const BARE_EXPRESS = fileURLToPath(new URL('./bare-express.ts', import.meta.url));

/**
 * Starts the bare Express hello-world in its own process, loads `GET /` with the run's settings,
 * and stops it: the baseline of every HTTP figure of the same run.
 */
export async function measureBareExpress(processes: ProcessGroup, settings: BenchSettings): Promise<LoadResult> {
  const port = await freePort();
  const child = processes.start({
    name: 'bare-express',
    entry: BARE_EXPRESS,
    cwd: dirname(BARE_EXPRESS),
    env: { ...process.env, PORT: String(port) },
  });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitForHttp(url, child, 30_000);
    return await measureHttp({ url, connections: settings.connections, warmupS: settings.warmupS, durationS: settings.durationS });
  } finally {
    await processes.stop(child);
  }
}
