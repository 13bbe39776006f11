import { boolean, index, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, identitySchema, ts, updatedAt } from './base.js';

export const users = identitySchema.table('users', {
  id: id(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  isSuperAdmin: boolean('is_super_admin').notNull().default(false),
  isActive: boolean('is_active').notNull().default(true),
  /** Tokens issued before this instant are inactive (password change, reset, disable, revoke-all). */
  tokensValidAfter: ts('tokens_valid_after'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Capability (`cap:*`) and platform role (`role:*`) grants. `orgId` null = global grant (SA-managed);
 * set = org grant for a member (org-admin-managed). One row per (user, org, key).
 */
export const userGrants = identitySchema.table(
  'user_grants',
  {
    id: id(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id'),
    key: text('key').notNull(),
    expiresAt: ts('expires_at'),
    grantedBy: uuid('granted_by'),
    createdAt: createdAt(),
  },
  (t) => [unique('user_grants_user_org_key').on(t.userId, t.orgId, t.key).nullsNotDistinct(), index('user_grants_org_idx').on(t.orgId)],
);

/** Deny-listed JWT ids, kept until the token would have expired anyway. */
export const revokedTokens = identitySchema.table(
  'revoked_tokens',
  {
    jti: uuid('jti').primaryKey(),
    subject: text('subject').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: createdAt(),
  },
  (t) => [index('revoked_tokens_expires_idx').on(t.expiresAt)],
);

export const passwordResets = identitySchema.table('password_resets', {
  /** SHA-256 of the emailed token; the token itself is never stored. */
  tokenHash: text('token_hash').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  createdAt: createdAt(),
});

export const emailOutbox = identitySchema.table('email_outbox', {
  id: id(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
});
