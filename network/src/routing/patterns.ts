import { z } from 'zod';

/** Event types (§3.1 event send body): a letter or digit, then up to 127 of `A-Za-z0-9._:-`. */
export const EVENT_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isEventType(value: string): boolean {
  return EVENT_TYPE_RE.test(value);
}

/**
 * Whether a pattern is well formed: an exact type, `*`, or `prefix.*` whose prefix is itself a
 * valid type. A `*` anywhere else is refused rather than read as a glob, so contracts never carry
 * patterns whose meaning a reader could mistake.
 */
export function isEventTypePattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return isEventType(pattern.slice(0, -2));
  return isEventType(pattern);
}

export const EventType = z.string().regex(EVENT_TYPE_RE, 'must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$');
export type EventType = z.infer<typeof EventType>;

export const EventTypePattern = z
  .string()
  .refine(isEventTypePattern, 'must be an event type, "*", or "prefix.*"');
export type EventTypePattern = z.infer<typeof EventTypePattern>;

/**
 * `prefix.*` matches `prefix.` followed by anything, dots included, so `user.*` covers
 * `user.created` and `user.a.b` but not `user` itself. "Anything" includes nothing: the type
 * `user.` is valid and is covered too.
 */
export function matchesEventTypePattern(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) {
    return type.startsWith(pattern.slice(0, -1));
  }
  return pattern === type;
}

export function matchesAnyEventTypePattern(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => matchesEventTypePattern(p, type));
}
