import { index, integer, jsonb, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, identitySchema, updatedAt } from './base.js';
import { users } from './users.js';

export const plans = identitySchema.table('plans', {
  id: id(),
  name: text('name').notNull().unique(),
  features: jsonb('features').$type<string[]>().notNull().default([]),
  limits: jsonb('limits').$type<Record<string, number>>().notNull().default({}),
  priceCents: integer('price_cents').notNull().default(0),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const organizations = identitySchema.table('organizations', {
  id: id(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  planId: uuid('plan_id').references(() => plans.id),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const memberships = identitySchema.table(
  'memberships',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['admin', 'member', 'viewer'] }).notNull(),
    joinedAt: createdAt(),
  },
  (t) => [unique('memberships_org_user').on(t.orgId, t.userId), index('memberships_user_idx').on(t.userId)],
);

export const auditLogs = identitySchema.table(
  'audit_logs',
  {
    id: id(),
    createdAt: createdAt(),
    actorType: text('actor_type', { enum: ['user', 'agent', 'service', 'api_key', 'system'] }).notNull(),
    actorId: text('actor_id'),
    orgId: uuid('org_id'),
    action: text('action').notNull(),
    resource: text('resource'),
    resourceId: text('resource_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    requestId: text('request_id'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_logs_org_created_idx').on(t.orgId, t.createdAt), index('audit_logs_actor_idx').on(t.actorId, t.createdAt)],
);

