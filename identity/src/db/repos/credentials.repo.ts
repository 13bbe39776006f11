import { and, desc, eq, or } from 'drizzle-orm';
import type { Db } from '../client.js';
import { credentials } from '../schema/index.js';

export type CredentialRow = typeof credentials.$inferSelect;
export type CredentialInsert = typeof credentials.$inferInsert;

/** Every column but the ciphertext: what listings and metadata responses are built from. */
const metadataColumns = {
  id: credentials.id,
  orgId: credentials.orgId,
  ownerId: credentials.ownerId,
  provider: credentials.provider,
  name: credentials.name,
  credentialPrefix: credentials.credentialPrefix,
  isOrgWide: credentials.isOrgWide,
  metadata: credentials.metadata,
  lastUsedAt: credentials.lastUsedAt,
  createdAt: credentials.createdAt,
};

export type CredentialMetadataRow = Omit<CredentialRow, 'ciphertext'>;

/** Newest first, with the id as tie-break, so "the newest" is one well-defined row. */
const newestFirst = [desc(credentials.createdAt), desc(credentials.id)];

export async function insertCredential(db: Db, values: CredentialInsert): Promise<CredentialMetadataRow> {
  const [row] = await db.insert(credentials).values(values).returning(metadataColumns);
  return row!;
}

/** Metadata of one credential in one org; the ciphertext is never read for this. */
export async function findCredentialInOrg(db: Db, orgId: string, id: string): Promise<CredentialMetadataRow | undefined> {
  const [row] = await db
    .select(metadataColumns)
    .from(credentials)
    .where(and(eq(credentials.id, id), eq(credentials.orgId, orgId)))
    .limit(1);
  return row;
}

/** The user's own credentials in the org, plus the org's org-wide ones. */
export async function listVisibleCredentials(db: Db, orgId: string, userId: string, limit = 500): Promise<CredentialMetadataRow[]> {
  return db
    .select(metadataColumns)
    .from(credentials)
    .where(and(eq(credentials.orgId, orgId), or(eq(credentials.ownerId, userId), eq(credentials.isOrgWide, true))))
    .orderBy(...newestFirst)
    .limit(limit);
}

export async function deleteCredential(db: Db, id: string): Promise<void> {
  await db.delete(credentials).where(eq(credentials.id, id));
}

/** The user's newest credential for the provider in the org (their own, org-wide or not). */
export async function findNewestOwned(db: Db, orgId: string, userId: string, provider: string): Promise<CredentialRow | undefined> {
  const [row] = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.orgId, orgId), eq(credentials.ownerId, userId), eq(credentials.provider, provider)))
    .orderBy(...newestFirst)
    .limit(1);
  return row;
}

export async function findNewestOrgWide(db: Db, orgId: string, provider: string): Promise<CredentialRow | undefined> {
  const [row] = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.orgId, orgId), eq(credentials.isOrgWide, true), eq(credentials.provider, provider)))
    .orderBy(...newestFirst)
    .limit(1);
  return row;
}

/** A credential usable by `userId` in the org: theirs, or org-wide. */
export async function findUsableById(db: Db, orgId: string, userId: string, id: string): Promise<CredentialRow | undefined> {
  const [row] = await db
    .select()
    .from(credentials)
    .where(and(eq(credentials.id, id), eq(credentials.orgId, orgId), or(eq(credentials.ownerId, userId), eq(credentials.isOrgWide, true))))
    .limit(1);
  return row;
}

export async function touchCredential(db: Db, id: string, at: Date): Promise<void> {
  await db.update(credentials).set({ lastUsedAt: at }).where(eq(credentials.id, id));
}
