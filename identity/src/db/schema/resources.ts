import { boolean, index, integer, jsonb, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, identitySchema, ts, updatedAt } from './base.js';
import { organizations } from './orgs.js';
import { users } from './users.js';

export const projects = identitySchema.table(
  'projects',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    description: text('description'),
    status: text('status', { enum: ['active', 'archived', 'suspended'] }).notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('projects_org_slug').on(t.orgId, t.slug)],
);

export const applications = identitySchema.table(
  'applications',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    environment: text('environment', { enum: ['dev', 'staging', 'prod'] }).notNull(),
    appType: text('app_type', { enum: ['web', 'mobile', 'api', 'cli'] }).notNull(),
    repoUrl: text('repo_url'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('applications_project_slug').on(t.projectId, t.slug)],
);

/** Named `org_services` so it is never confused with the platform's own services. */
export const orgServices = identitySchema.table(
  'org_services',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: uuid('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    serviceType: text('service_type', { enum: ['database', 'api', 'auth', 'storage', 'messaging', 'analytics'] }).notNull(),
    provider: text('provider'),
    endpointUrl: text('endpoint_url'),
    externalId: text('external_id'),
    status: text('status', { enum: ['active', 'inactive'] }).notNull().default('active'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('org_services_project_slug').on(t.projectId, t.slug)],
);

export const applicationServices = identitySchema.table(
  'application_services',
  {
    applicationId: uuid('application_id').notNull().references(() => applications.id, { onDelete: 'cascade' }),
    serviceId: uuid('service_id').notNull().references(() => orgServices.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.serviceId] })],
);

export const scopedEntitlements = identitySchema.table(
  'scoped_entitlements',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    scopeType: text('scope_type', { enum: ['org', 'project', 'application', 'service'] }).notNull(),
    scopeId: uuid('scope_id').notNull(),
    featureKey: text('feature_key').notNull(),
    quota: integer('quota'),
    consumed: integer('consumed').notNull().default(0),
    enabled: boolean('enabled').notNull().default(true),
    expiresAt: ts('expires_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('scoped_entitlements_scope_idx').on(t.scopeType, t.scopeId)],
);

export const credentials = identitySchema.table(
  'credentials',
  {
    id: id(),
    orgId: uuid('org_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
    ownerId: uuid('owner_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    credentialPrefix: text('credential_prefix').notNull(),
    /** AES-256-GCM: iv, ciphertext and tag, base64, under CREDENTIAL_ENCRYPTION_KEY. */
    ciphertext: text('ciphertext').notNull(),
    isOrgWide: boolean('is_org_wide').notNull().default(false),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    lastUsedAt: ts('last_used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('credentials_org_provider_idx').on(t.orgId, t.provider, t.createdAt)],
);

export const entities = identitySchema.table(
  'entities',
  {
    id: text('id').primaryKey(),
    orgId: uuid('org_id').references(() => organizations.id, { onDelete: 'cascade' }),
    type: text('type', { enum: ['user', 'assistant', 'service', 'integration', 'sandbox'] }).notNull(),
    slug: text('slug').notNull(),
    displayName: text('display_name').notNull(),
    instanceId: text('instance_id'),
    status: text('status').notNull().default('active'),
    boundNodeId: text('bound_node_id'),
    capabilities: jsonb('capabilities').$type<string[]>().notNull().default([]),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [unique('entities_org_type_slug_instance').on(t.orgId, t.type, t.slug, t.instanceId).nullsNotDistinct(), index('entities_node_idx').on(t.boundNodeId)],
);
