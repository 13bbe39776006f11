#!/usr/bin/env node
// `pnpm bench [service…]`: run each named service's bench/run.ts (every service that has one when
// none is named), one after another, through tsx. Output is forwarded as is; the exit code is the
// first non-zero one. Benchmarks print figures next to same-run baselines and assert nothing, so a
// non-zero code means the harness failed, not that a figure was slow.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_TABLE, ROOT } from './lib/services.mjs';

const benchFile = (id) => join(ROOT, id, 'bench', 'run.ts');
const withBench = SERVICE_TABLE.filter((s) => existsSync(benchFile(s.id))).map((s) => s.id);
const named = process.argv.slice(2).filter((a) => a !== '--');

const known = new Set(SERVICE_TABLE.map((s) => s.id));
const unknown = named.filter((id) => !known.has(id));
const absent = named.filter((id) => known.has(id) && !withBench.includes(id));
if (unknown.length > 0 || absent.length > 0) {
  if (unknown.length > 0) process.stderr.write(`unknown service(s): ${unknown.join(', ')} (services: ${[...known].join(', ')})\n`);
  if (absent.length > 0) process.stderr.write(`no benchmark (<service>/bench/run.ts) for: ${absent.join(', ')}\n`);
  process.stderr.write(`services with a benchmark: ${withBench.join(', ') || 'none'}\n`);
  process.exit(2);
}
const targets = named.length > 0 ? [...new Set(named)] : withBench;
if (targets.length === 0) {
  process.stdout.write('no service has a benchmark yet\n');
  process.exit(0);
}

let current;
// Ctrl-C reaches the benchmark too (same process group); it stops its own children and exits.
// Here we only wait for it, and stop starting further benchmarks.
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true;
});
process.on('SIGTERM', () => {
  interrupted = true;
  current?.kill('SIGTERM');
});

function run(id) {
  return new Promise((resolve) => {
    current = spawn(process.execPath, ['--import', 'tsx', benchFile(id)], { cwd: ROOT, stdio: 'inherit' });
    current.on('error', (err) => {
      process.stderr.write(`could not start the ${id} benchmark: ${err.message}\n`);
      resolve(1);
    });
    current.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
  });
}

let exitCode = 0;
for (const id of targets) {
  if (interrupted) break;
  if (targets.length > 1) process.stdout.write(`\n=== ${id} ===\n`);
  const code = await run(id);
  if (code !== 0 && exitCode === 0) exitCode = code;
}
process.exit(exitCode);
