import { and, eq, lt, or, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** Where a page continues: the last row's (createdAt, id) of the previous page. */
export interface PageAfter {
  createdAt: Date;
  id: string;
}

/** Keyset condition for "newest first, then id desc": rows strictly after the cursor position. */
export function keysetBefore(createdAtCol: AnyPgColumn, idCol: AnyPgColumn, after: PageAfter): SQL {
  return or(lt(createdAtCol, after.createdAt), and(eq(createdAtCol, after.createdAt), lt(idCol, after.id)))!;
}
