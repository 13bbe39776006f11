import { z } from 'zod';
import type { Env } from './env.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parse the environment with a zod schema and report every problem at once, so an operator fixes a
 * broken deployment in one pass instead of one restart per variable. Values are never echoed: a
 * misplaced secret must not end up in a crash log.
 */
export function parseConfig<T extends z.ZodType>(schema: T, env: Env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ConfigError(problems);
}
