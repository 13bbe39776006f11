// Millisecond precision: keyset cursors carry JS Dates, and a microsecond remainder would make
// rows fall between pages.
import { pgSchema, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Identity owns the `identity` Postgres schema and nothing else (ARCHITECTURE.md §3). */
export const identitySchema = pgSchema('identity');

export const id = () => uuid('id').primaryKey().defaultRandom();
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
export const createdAt = () => ts('created_at').notNull().defaultNow();
export const updatedAt = () => ts('updated_at').notNull().defaultNow();
