/** Types of build-service.mjs, for TypeScript callers (services' bench/run.ts). Resolves to dist/main.js. */
export function buildService(id: string): Promise<string>;
/** Bundle a TypeScript entry like a service (third-party imports resolved where written); resolves to outfile. */
export function bundleEntry(options: { entry: string; outfile: string; version?: string }): Promise<string>;
