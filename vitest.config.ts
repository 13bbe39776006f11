import { defineConfig } from 'vitest/config';

// One runner for the whole workspace. Two cores: at most two forked workers, and each
// DB suite isolates itself (its own PGlite, or its own Postgres database per worker).
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', '*/src/**/*.test.ts', '*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    // CI asks for a JSON report beside the console one, to print a plain closing count.
    ...(process.env.VITEST_JSON_REPORT ? { reporters: ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] } : {}),
    hookTimeout: 60_000,
  },
});
