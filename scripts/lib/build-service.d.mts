/** Types of build-service.mjs, for TypeScript callers (services' bench/run.ts). Resolves to dist/main.js. */
export function buildService(id: string): Promise<string>;
