/**
 * @symbia/bench: the harness of every service's `bench/run.ts` (`pnpm bench <service>`). Benchmarks
 * are not tests: they print each figure next to a baseline measured in the same run, as a ratio,
 * and assert nothing.
 */
export * from './baseline.js';
export * from './harness.js';
export * from './http.js';
export * from './load.js';
export * from './postgres.js';
export * from './processes.js';
export * from './report.js';
export * from './settings.js';
export type { Env } from './types.js';
