import { z } from 'zod';

/**
 * Reusable zod building blocks for route schemas. They encode the shell conventions of outline
 * §1.1 and §1.7 once, so every service trims names, lower-cases emails and pages lists alike.
 */

export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 200;
export const CURSOR_MAX_LENGTH = 2048;

export interface PageLimitOptions {
  /** Page size when `limit` is absent (default 50). */
  defaultLimit?: number;
  /** Larger values are clamped to this, not rejected (default 200). */
  max?: number;
}

/**
 * `?limit=`: query strings arrive as text, so the value is coerced; anything that is not an
 * integer ≥ 1 (`abc`, `1.5`, `0`, an empty value, a repeated parameter) fails, while values above
 * the maximum are clamped because a client asking for "everything" should get a full page, not a 400.
 */
export function pageLimit(options: PageLimitOptions = {}) {
  const max = options.max ?? PAGE_LIMIT_MAX;
  const defaultLimit = Math.min(options.defaultLimit ?? PAGE_LIMIT_DEFAULT, max);
  return z.coerce
    .number({ error: 'limit must be an integer' })
    .int({ error: 'limit must be an integer' })
    .min(1, { error: 'limit must be at least 1' })
    .default(defaultLimit)
    .transform((n) => Math.min(n, max))
    .meta({ maximum: max, description: `Page size, 1–${max} (default ${defaultLimit}); larger values are clamped to ${max}` });
}

/** `?cursor=`: opaque to the client; its signature is checked by the cursor codec, not here. */
export const cursorParam = z
  .string()
  .max(CURSOR_MAX_LENGTH)
  .optional()
  .meta({ description: 'Opaque cursor from the previous page\'s `nextCursor`' });

/** Query of every `GET` list. Extend it (`paginationQuery.extend({...})`) with the list's own filters. */
export const paginationQuery = z.object({ limit: pageLimit(), cursor: cursorParam });
export type PaginationQuery = z.infer<typeof paginationQuery>;

/** Path parameters `{ [name]: uuid }`, e.g. `uuidParam('orgId')` for `/api/orgs/:orgId`. */
export function uuidParam<K extends string>(name: K) {
  return z.object({ [name]: z.uuid() } as { [P in K]: z.ZodUUID });
}

/** Names and titles: surrounding whitespace is dropped before the length bounds are checked. */
export function boundedString(min: number, max: number) {
  return z.string().trim().min(min).max(max);
}

/**
 * Trimmed and lower-cased before the format check, so `" Ada@Example.COM "` is stored and compared
 * as `ada@example.com`. The pipe hides the format from JSON Schema's input view, hence the meta.
 */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email())
  .meta({ format: 'email' });

/** ISO-8601 timestamp; inputs may carry an offset, outputs are always UTC with milliseconds. */
export const isoDateTime = z.iso.datetime({ offset: true });
