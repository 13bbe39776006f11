import { boundedString, emailSchema, paginationQuery } from '@symbia/http';
import { z } from 'zod';

/** Request schemas shared by several identity routes (outline §2). */
export const password = z.string().min(8).max(128);
export const loginPassword = z.string().min(1).max(128);
export const personName = boundedString(1, 100);
export const slug = z.string().min(3).max(48).regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters, digits and single hyphens');
export const capability = z.string().regex(/^cap:[a-z0-9]+(\.[a-z0-9_*-]+)+$/, 'a capability like cap:catalog.read');
export const roleKey = z.string().regex(/^role:[a-z0-9_-]{1,50}$/, 'a role like role:publisher');
export const scope = z.string().regex(/^(\*|[a-z]+:(\*|[a-z0-9._-]+))$/, 'a scope like logging:ingest, catalog:* or *');
export const orgRole = z.enum(['admin', 'member', 'viewer']);
export const futureIso = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => d.getTime() > Date.now(), 'must be in the future');
export const isoDate = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
/** metadata objects bounded by their serialized size (§2.3: ≤ 8 KiB; vault: ≤ 4 KiB). */
export const boundedObject = (maxBytes: number) =>
  z.record(z.string(), z.unknown()).refine((o) => Buffer.byteLength(JSON.stringify(o)) <= maxBytes, `must be at most ${maxBytes} bytes as JSON`);
export { emailSchema as email };

export const problemOnly = (description: string) => ({ description });

export const auditQuery = paginationQuery.extend({
  action: z.string().max(100).optional(),
  actorId: z.string().max(100).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});
