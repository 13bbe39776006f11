import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bench = (...args: string[]) => spawnSync(process.execPath, ['scripts/bench.mjs', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('pnpm bench', () => {
  it('refuses an unknown service with exit code 2 and lists the known ones', () => {
    const run = bench('nosuch');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown service(s): nosuch');
    expect(run.stderr).toContain('services with a benchmark: identity');
  });

  it('refuses a known service without bench/run.ts with exit code 2', () => {
    const run = bench('assistants');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no benchmark (<service>/bench/run.ts) for: assistants');
  });
});
