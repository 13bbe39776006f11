/** Types of secrets.mjs, for TypeScript callers (services' bench/run.ts). */
export function prepareSecrets(env: Record<string, string | undefined>, serviceIds: string[], dataDir?: string): string[];
