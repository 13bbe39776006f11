import { quoteIdent } from './sql-names.js';
import type { SqlQueryer } from './types.js';

/**
 * Makes one value from a driver row survive `JSON.stringify` without loss or a throw: bigint has
 * no JSON form, Buffers would serialise as `{type,data}` byte arrays, and NaN/Infinity would
 * silently become null.
 */
export function toJsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toJsonSafe);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
  return out;
}

interface TableRow {
  name: string;
  pk: string[] | null;
}

/*
 * Ordinary and partitioned tables of the schema, each with its primary-key columns in key order
 * so rows come out in a stable order and two exports of the same data diff cleanly. Partitions
 * are skipped: their rows already come out through the parent.
 */
const LIST_TABLES = `
  SELECT c.relname::text AS name,
         (SELECT array_agg(a.attname::text ORDER BY k.ord)
            FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
           WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   ORDER BY c.relname`;

/** Dumps every table of `schemaName` as `{ [table]: rows }`, rows made JSON-safe. */
export async function exportSchema(queryer: SqlQueryer, schemaName: string): Promise<Record<string, unknown[]>> {
  const tables = await queryer.query<TableRow>(LIST_TABLES, [schemaName]);
  const dump: Record<string, unknown[]> = {};
  for (const table of tables.rows) {
    const orderBy = table.pk && table.pk.length > 0 ? ` ORDER BY ${table.pk.map(quoteIdent).join(', ')}` : '';
    const result = await queryer.query(`SELECT * FROM ${quoteIdent(schemaName)}.${quoteIdent(table.name)}${orderBy}`);
    dump[table.name] = result.rows.map(toJsonSafe);
  }
  return dump;
}
