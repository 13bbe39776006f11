import { and, desc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.js';
import { entities } from '../schema/index.js';
import { keysetBefore, type PageAfter } from './keyset.js';

export type EntityRow = typeof entities.$inferSelect;
export type EntityInsert = typeof entities.$inferInsert;
export type EntityType = EntityRow['type'];

/** An org's directory also shows the platform's entities (`org_id IS NULL`). */
const inOrgOrPlatform = (orgId: string) => or(eq(entities.orgId, orgId), isNull(entities.orgId))!;

export async function insertEntity(db: Db, values: EntityInsert): Promise<EntityRow> {
  const [row] = await db.insert(entities).values(values).returning();
  return row!;
}

export async function findEntityById(db: Db, id: string): Promise<EntityRow | undefined> {
  const [row] = await db.select().from(entities).where(eq(entities.id, id)).limit(1);
  return row;
}

/** The row a duplicate create collided with (the unique key treats NULLs as equal). */
export async function findEntityByKey(
  db: Db,
  key: { orgId: string | null; type: EntityType; slug: string; instanceId: string | null },
): Promise<EntityRow | undefined> {
  const [row] = await db
    .select()
    .from(entities)
    .where(
      and(
        key.orgId === null ? isNull(entities.orgId) : eq(entities.orgId, key.orgId),
        eq(entities.type, key.type),
        eq(entities.slug, key.slug),
        key.instanceId === null ? isNull(entities.instanceId) : eq(entities.instanceId, key.instanceId),
      ),
    )
    .limit(1);
  return row;
}

export interface EntityListFilter {
  type?: EntityType;
  /** Prefix of the slug or of the display name (case-insensitive); matched with starts_with, never LIKE. */
  q?: string;
  limit: number;
  after?: PageAfter;
}

export async function listEntities(db: Db, orgId: string, f: EntityListFilter): Promise<EntityRow[]> {
  const conds: SQL[] = [inOrgOrPlatform(orgId)];
  if (f.type) conds.push(eq(entities.type, f.type));
  if (f.q) {
    const q = f.q.toLowerCase();
    conds.push(sql`(starts_with(${entities.slug}, ${q}::text) OR starts_with(lower(${entities.displayName}), ${q}::text))`);
  }
  if (f.after) conds.push(keysetBefore(entities.createdAt, entities.id, f.after));
  return db
    .select()
    .from(entities)
    .where(and(...conds))
    .orderBy(desc(entities.createdAt), desc(entities.id))
    .limit(f.limit);
}

export interface EntityAddress {
  id?: string;
  type?: EntityType;
  slug?: string;
  instanceId?: string;
}

/** Every entity of the org (and the platform) matching all the given parts of an address. */
export async function findEntitiesByAddress(db: Db, orgId: string, a: EntityAddress, limit = 100): Promise<EntityRow[]> {
  const conds: SQL[] = [inOrgOrPlatform(orgId)];
  if (a.id) conds.push(eq(entities.id, a.id));
  if (a.type) conds.push(eq(entities.type, a.type));
  if (a.slug) conds.push(eq(entities.slug, a.slug));
  if (a.instanceId) conds.push(eq(entities.instanceId, a.instanceId));
  return db
    .select()
    .from(entities)
    .where(and(...conds))
    .orderBy(desc(entities.createdAt), desc(entities.id))
    .limit(limit);
}

/**
 * Up to `limit` slugs of the org near `wanted`: those sharing its first three characters or of
 * which it is an extension, longer matches of the same stem first, then by closeness in length.
 * `wanted` is a plain parameter of starts_with, so nothing the client sends is a pattern.
 */
export async function suggestSlugs(db: Db, orgId: string, wanted: string, limit = 5): Promise<string[]> {
  const stem = wanted.slice(0, 3);
  const rows = await db
    .select({ slug: entities.slug })
    .from(entities)
    .where(and(eq(entities.orgId, orgId), sql`(starts_with(${entities.slug}, ${stem}::text) OR starts_with(${wanted}::text, ${entities.slug}))`))
    .groupBy(entities.slug)
    .orderBy(sql`starts_with(${entities.slug}, ${wanted}::text) DESC`, sql`abs(length(${entities.slug}) - length(${wanted}::text))`, entities.slug)
    .limit(limit);
  return rows.map((r) => r.slug);
}

/** Entities bound to a mesh node, most recently changed first. */
export async function findEntitiesByNode(db: Db, nodeId: string, limit = 20): Promise<EntityRow[]> {
  return db.select().from(entities).where(eq(entities.boundNodeId, nodeId)).orderBy(desc(entities.updatedAt), desc(entities.id)).limit(limit);
}

export async function updateEntity(db: Db, id: string, patch: Partial<EntityInsert>): Promise<EntityRow | undefined> {
  const [row] = await db.update(entities).set({ ...patch, updatedAt: new Date() }).where(eq(entities.id, id)).returning();
  return row;
}
