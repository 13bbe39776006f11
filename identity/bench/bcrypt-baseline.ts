// Baseline of the logins/s figure: native bcrypt.compare at the given cost, `CONCURRENCY` at a time
// (bcrypt runs on libuv's threadpool, so UV_THREADPOOL_SIZE must equal identity's), counted the
// same way as the login figure: only operations completed after the warm-up, rate by Little's law
// (concurrency / mean latency) since completions come in batches of the threadpool size. Child
// process entry; sends { rate, countedRate, mean, p99, count } over IPC.
import bcrypt from 'bcrypt';
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

const cost = Number(process.env.BCRYPT_COST);
const concurrency = Number(process.env.CONCURRENCY);
const warmupMs = Number(process.env.WARMUP_S) * 1000;
const durationMs = Number(process.env.DURATION_S) * 1000;

// The same input shape identity hashes: base64 of an HMAC-SHA256 (44 bytes).
const secret = createHmac('sha256', randomBytes(32)).update('bench password').digest('base64');
const hash = await bcrypt.hash(secret, cost);

const from = performance.now() + warmupMs;
const until = from + durationMs;
const latencies: number[] = [];

async function worker(): Promise<void> {
  while (performance.now() < until) {
    const t0 = performance.now();
    if (!(await bcrypt.compare(secret, hash))) throw new Error('bcrypt.compare rejected the right secret');
    const t1 = performance.now();
    if (t1 >= from && t1 <= until) latencies.push(t1 - t0);
  }
}

await Promise.all(Array.from({ length: concurrency }, worker));
latencies.sort((a, b) => a - b);
const count = latencies.length;
const p99 = count ? latencies[Math.min(count - 1, Math.ceil(0.99 * count) - 1)]! : Number.NaN;
const mean = count ? latencies.reduce((a, b) => a + b, 0) / count : Number.NaN;
const result = { rate: count ? (concurrency * 1000) / mean : 0, countedRate: count / (durationMs / 1000), mean, p99, count };
process.send?.(result, () => process.exit(0));
