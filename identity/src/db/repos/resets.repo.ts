import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { emailOutbox, passwordResets } from '../schema/index.js';

export async function insertReset(db: Db, values: typeof passwordResets.$inferInsert): Promise<void> {
  await db.insert(passwordResets).values(values);
}

/**
 * Mark a reset token used and return its user, in one statement: two concurrent resets with the
 * same token cannot both succeed.
 */
export async function consumeReset(db: Db, tokenHash: string, now = new Date()): Promise<string | undefined> {
  const [row] = await db
    .update(passwordResets)
    .set({ usedAt: now })
    .where(and(eq(passwordResets.tokenHash, tokenHash), isNull(passwordResets.usedAt), gt(passwordResets.expiresAt, now)))
    .returning({ userId: passwordResets.userId });
  return row?.userId;
}

export async function listOutbox(db: Db, limit = 200) {
  return db.select().from(emailOutbox).orderBy(desc(emailOutbox.createdAt)).limit(limit);
}
