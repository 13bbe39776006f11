// Plain-JS view of the service table for the scripts, which run under bare `node` before anything
// is built. Kept in step with packages/sys/src/services.ts by tests/scripts.test.ts.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVICE_TABLE = [
  { id: 'network', port: 5054, tier: 1 },
  { id: 'identity', port: 5001, tier: 1 },
  { id: 'logging', port: 5002, tier: 1 },
  { id: 'catalog', port: 5003, tier: 2 },
  { id: 'messaging', port: 5005, tier: 2 },
  { id: 'integrations', port: 5007, tier: 2 },
  { id: 'runtime', port: 5006, tier: 3 },
  { id: 'assistants', port: 5004, tier: 3 },
];

/** Services that exist in this checkout (a folder with src/main.ts), in start order. */
export function presentServices() {
  return SERVICE_TABLE.filter((s) => existsSync(join(ROOT, s.id, 'src', 'main.ts'))).sort((a, b) => a.tier - b.tier);
}
