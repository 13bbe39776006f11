#!/usr/bin/env node
// `pnpm start`: build and run every service present in the repo on the embedded database, tier by
// tier, print a line as each becomes ready, and stop them all on Ctrl-C.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildService } from './lib/build-service.mjs';
import { prepareSecrets } from './lib/secrets.mjs';
import { presentServices, ROOT } from './lib/services.mjs';

const out = (line) => process.stdout.write(`${line}\n`);
const startedAt = Date.now();
const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;

const present = presentServices();
const wanted = (process.env.SYMBIA_SERVICES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const unknown = wanted.filter((id) => !present.some((s) => s.id === id));
if (unknown.length > 0) {
  out(`unknown or absent service(s): ${unknown.join(', ')}; present: ${present.map((s) => s.id).join(', ') || 'none'}`);
  process.exit(2);
}
const services = wanted.length > 0 ? present.filter((s) => wanted.includes(s.id)) : present;
if (services.length === 0) {
  out('no services present in this checkout');
  process.exit(0);
}

const env = { ...process.env };
const dataDir = env.SYMBIA_DATA_DIR ? join(process.cwd(), env.SYMBIA_DATA_DIR) : undefined;
const generated = prepareSecrets(env, services.map((s) => s.id), dataDir);
if (generated.length > 0) {
  out(`generated ${generated.length} secret(s) for this run${dataDir ? ` (kept in ${join(dataDir, 'secrets.json')})` : ' (not kept: set SYMBIA_DATA_DIR to keep them)'}`);
}
for (const s of services) {
  const key = `${s.id.toUpperCase()}_DATA_DIR`;
  if (dataDir && !env[key]) env[key] = join(dataDir, s.id);
}
const logDir = join(dataDir ?? join(ROOT, '.data'), 'logs');
mkdirSync(logDir, { recursive: true });

const portOf = (s) => Number(env[`${s.id.toUpperCase()}_PORT`] ?? s.port);
const children = new Map();
let stopping = false;

async function isReady(s) {
  try {
    const res = await fetch(`http://127.0.0.1:${portOf(s)}/health/ready`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

function launch(s, entry) {
  const log = createWriteStream(join(logDir, `${s.id}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', entry], {
    cwd: join(ROOT, s.id),
    env: { ...env, PORT: undefined, [`${s.id.toUpperCase()}_PORT`]: String(portOf(s)) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: a terminal's Ctrl-C reaches only this script, which then stops each
    // service once, gracefully, instead of every service receiving two signals.
    detached: true,
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.on('exit', (code, signal) => {
    children.delete(s.id);
    if (!stopping) {
      out(`✗ ${s.id} exited (${signal ?? `code ${code}`}); last log lines:`);
      const lines = readFileSync(join(logDir, `${s.id}.log`), 'utf8').trim().split('\n').slice(-15);
      for (const l of lines) out(`    ${l}`);
    }
  });
  children.set(s.id, child);
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  out(`stopping ${[...children.keys()].join(', ') || 'nothing'}…`);
  const exits = [...children.values()].map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); }));
  const timer = setTimeout(() => { for (const c of children.values()) c.kill('SIGKILL'); }, 15_000);
  await Promise.all(exits);
  clearTimeout(timer);
  out('all services stopped');
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('exit', () => {
  for (const c of children.values()) c.kill('SIGKILL');
});
process.on('SIGTERM', () => void stopAll(0));

function rssMb() {
  let kb = 0;
  for (const c of children.values()) {
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch { /* not on Linux, or already gone */ }
  }
  return Math.round(kb / 1024);
}

out(`building ${services.map((s) => s.id).join(', ')}…`);
const entries = new Map();
await Promise.all(services.map(async (s) => entries.set(s.id, await buildService(s.id))));
out(`built in ${elapsed()}; logs in ${logDir}`);

for (const tier of [1, 2, 3]) {
  const batch = services.filter((s) => s.tier === tier);
  if (batch.length === 0) continue;
  for (const s of batch) launch(s, entries.get(s.id));
  const pending = new Set(batch.map((s) => s.id));
  const deadline = Date.now() + 60_000;
  let lastReport = Date.now();
  while (pending.size > 0 && !stopping) {
    await new Promise((r) => setTimeout(r, 100));
    for (const s of batch) {
      if (!pending.has(s.id)) continue;
      if (!children.has(s.id)) { pending.delete(s.id); continue; }
      if (await isReady(s)) {
        pending.delete(s.id);
        const waiting = [...pending];
        out(`✓ ${s.id.padEnd(12)} ready on http://127.0.0.1:${portOf(s)} (${elapsed()})${waiting.length ? ` — still starting: ${waiting.join(', ')}` : ''}`);
      }
    }
    if (pending.size > 0 && Date.now() - lastReport > 5_000) {
      lastReport = Date.now();
      out(`… still starting: ${[...pending].join(', ')}`);
    }
    if (Date.now() > deadline) {
      out(`✗ not ready after 60 s: ${[...pending].join(', ')} (see ${logDir})`);
      break;
    }
  }
}
if (children.size === 0) await stopAll(1);
out(`${children.size}/${services.length} service(s) up in ${elapsed()}, ${rssMb()} MB resident. Ctrl-C stops them.`);
