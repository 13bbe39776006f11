#!/usr/bin/env node
// `pnpm build [service…]`: bundle the named services (default: every one present) into dist/.
import { buildService } from './lib/build-service.mjs';
import { presentServices } from './lib/services.mjs';

const wanted = process.argv.slice(2);
const ids = wanted.length > 0 ? wanted : presentServices().map((s) => s.id);
for (const id of ids) {
  const started = Date.now();
  const out = await buildService(id);
  process.stdout.write(`built ${id} -> ${out} in ${Date.now() - started} ms\n`);
}
