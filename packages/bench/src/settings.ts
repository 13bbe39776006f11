import type { Env } from './types.js';

/** Knobs every benchmark shares; each is an environment variable so `pnpm bench` takes no flags. */
export interface BenchSettings {
  /** `BENCH_DURATION_S`: measured seconds per figure (default 5). */
  durationS: number;
  /** `BENCH_WARMUP_S`: seconds of load discarded before measuring (default 1). */
  warmupS: number;
  /** `BENCH_CONNECTIONS`: concurrent connections of every HTTP figure (default 50). */
  connections: number;
}

function positive(env: Env, name: string, fallback: number, { integer = false, allowZero = false } = {}): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  const ok = Number.isFinite(value) && (allowZero ? value >= 0 : value > 0) && (!integer || Number.isInteger(value));
  if (!ok) throw new Error(`${name} must be a ${integer ? 'whole ' : ''}number ${allowZero ? '>= 0' : '> 0'} (got "${raw}")`);
  return value;
}

export function benchSettings(env: Env = process.env): BenchSettings {
  return {
    durationS: positive(env, 'BENCH_DURATION_S', 5),
    warmupS: positive(env, 'BENCH_WARMUP_S', 1, { allowZero: true }),
    connections: positive(env, 'BENCH_CONNECTIONS', 50, { integer: true }),
  };
}

/** A positive whole number from the environment, for a benchmark's own knobs. */
export function envCount(name: string, fallback: number, env: Env = process.env): number {
  return positive(env, name, fallback, { integer: true });
}
