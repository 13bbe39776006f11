import { boolean, index, integer, jsonb, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, identitySchema, ts, updatedAt } from './base.js';
import { organizations } from './orgs.js';
import { users } from './users.js';

export const apiKeys = identitySchema.table(
  'api_keys',
  {
    id: id(),
    name: text('name').notNull(),
    description: text('description'),
    /** `sk_` + the 8-hex public key id: the lookup handle, shown in listings. */
    keyPrefix: text('key_prefix').notNull().unique(),
    salt: text('salt').notNull(),
    keyHash: text('key_hash').notNull(),
    createdBy: uuid('created_by').notNull().references(() => users.id, { onDelete: 'cascade' }),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    serviceId: text('service_id'),
    env: text('env'),
    expiresAt: ts('expires_at'),
    lastUsedAt: ts('last_used_at'),
    useCount: integer('use_count').notNull().default(0),
    revokedAt: ts('revoked_at'),
    deletedAt: ts('deleted_at'),
    rotatedFrom: uuid('rotated_from'),
    createdAt: createdAt(),
  },
  (t) => [index('api_keys_creator_idx').on(t.createdBy, t.createdAt), index('api_keys_org_idx').on(t.orgId, t.createdAt)],
);

export const agents = identitySchema.table(
  'agents',
  {
    id: id(),
    agentId: text('agent_id').notNull().unique(),
    name: text('name').notNull(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    credentialHash: text('credential_hash').notNull(),
    capabilities: jsonb('capabilities').$type<string[]>().notNull().default([]),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    isActive: boolean('is_active').notNull().default(true),
    tokensValidAfter: ts('tokens_valid_after'),
    lastSeenAt: ts('last_seen_at'),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('agents_org_idx').on(t.orgId, t.createdAt)],
);

export const serviceAccounts = identitySchema.table('service_accounts', {
  id: id(),
  serviceId: text('service_id').notNull().unique(),
  scopes: jsonb('scopes').$type<string[]>().notNull(),
  salt: text('salt').notNull(),
  secretHash: text('secret_hash').notNull(),
  tokensValidAfter: ts('tokens_valid_after'),
  lastUsedAt: ts('last_used_at'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
