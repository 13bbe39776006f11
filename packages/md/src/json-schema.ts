import type { JsonSchema } from './types.js';

/**
 * Turns JSON Schemas into short prose a reader (human or model) can scan: one line per field with
 * its type, bounds, enum values and default, nested fields indented under their parent.
 */

/** Deeper structures are summarized as "object" rather than listed, to keep the text readable. */
const MAX_FIELD_DEPTH = 6;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local `$ref` (`#` or `#/$defs/Name`) within the schema it came from. */
function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  if (ref === '#') return root;
  const prefix = '#/$defs/';
  const defs = root.$defs;
  if (ref.startsWith(prefix) && isSchema(defs)) {
    const target = defs[ref.slice(prefix.length)];
    if (isSchema(target)) return target;
  }
  return schema;
}

function refName(schema: JsonSchema): string | undefined {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return undefined;
  return ref === '#' ? '(recursive)' : ref.slice(ref.lastIndexOf('/') + 1);
}

function literal(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** zod's `.int()` bounds integers to the safe range; saying so on every field is noise. */
function bound(value: unknown): number | undefined {
  return typeof value === 'number' && Math.abs(value) < Number.MAX_SAFE_INTEGER ? value : undefined;
}

function range(min: unknown, max: unknown, unit = ''): string | undefined {
  const lo = bound(min);
  const hi = bound(max);
  if (lo !== undefined && hi !== undefined) return lo === hi ? `exactly ${lo}${unit}` : `${lo}–${hi}${unit}`;
  if (lo !== undefined) return `≥ ${lo}${unit}`;
  if (hi !== undefined) return `≤ ${hi}${unit}`;
  return undefined;
}

function typeName(schema: JsonSchema, root: JsonSchema, depth: number): string {
  const s = resolve(schema, root);
  if (s !== schema && depth > 2) return refName(schema) ?? 'object';
  if ('const' in s) return `constant ${literal(s.const)}`;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map(literal).join(' | ')}`;
  const variants = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (variants) return variants.filter(isSchema).map((v) => typeName(v, root, depth + 1)).join(' | ');
  const types = Array.isArray(s.type) ? s.type.map(String) : typeof s.type === 'string' ? [s.type] : [];
  if (types.length === 0) return isSchema(s.properties) ? 'object' : 'any';
  return types
    .map((t) => {
      if (t === 'array') return isSchema(s.items) ? `array of ${typeName(s.items, root, depth + 1)}` : 'array';
      if (t === 'object' && !isSchema(s.properties) && isSchema(s.additionalProperties)) {
        return `map of string to ${typeName(s.additionalProperties, root, depth + 1)}`;
      }
      return t;
    })
    .join(' or ');
}

/** `string (uuid)`, `integer, 1–200, default 50`, `array of string, ≤ 20 items`… */
export function summarizeSchema(schema: JsonSchema, root: JsonSchema = schema): string {
  const s = resolve(schema, root);
  const parts = [typeName(schema, root, 0)];
  if (typeof s.format === 'string') parts[0] += ` (${s.format})`;
  const bounds = [
    range(s.minLength, s.maxLength, ' chars'),
    range(s.minimum, s.maximum),
    typeof s.exclusiveMinimum === 'number' ? `> ${s.exclusiveMinimum}` : undefined,
    typeof s.exclusiveMaximum === 'number' ? `< ${s.exclusiveMaximum}` : undefined,
    range(s.minItems, s.maxItems, ' items'),
  ];
  for (const b of bounds) if (b) parts.push(b);
  if (typeof s.pattern === 'string' && typeof s.format !== 'string' && s.pattern.length <= 64) parts.push(`matching /${s.pattern}/`);
  if ('default' in s) parts.push(`default ${literal(s.default)}`);
  return parts.join(', ');
}

/** The schema whose `properties` describe the fields: the object itself, or an array's items. */
function fieldsHolder(schema: JsonSchema, root: JsonSchema): JsonSchema | undefined {
  const s = resolve(schema, root);
  if (isSchema(s.properties)) return s;
  if (isSchema(s.items)) {
    const items = resolve(s.items, root);
    if (isSchema(items.properties)) return items;
  }
  return undefined;
}

function walk(schema: JsonSchema, root: JsonSchema, depth: number, indent: string, seen: Set<JsonSchema>, out: string[]): void {
  const holder = fieldsHolder(schema, root);
  if (!holder || seen.has(holder)) return;
  seen.add(holder);
  const required = new Set(Array.isArray(holder.required) ? holder.required.map(String) : []);
  for (const [name, prop] of Object.entries(holder.properties as JsonSchema)) {
    if (!isSchema(prop)) continue;
    const resolved = resolve(prop, root);
    const flags = required.has(name) ? ', required' : '';
    const about = typeof resolved.description === 'string' ? ` — ${resolved.description}` : '';
    out.push(`${indent.repeat(depth)}- ${name}: ${summarizeSchema(prop, root)}${flags}${about}`);
    if (depth + 1 < MAX_FIELD_DEPTH) walk(prop, root, depth + 1, indent, seen, out);
  }
  // Siblings may legitimately share a definition; only an ancestor chain is a cycle.
  seen.delete(holder);
}

/**
 * One line per field, nested fields indented. A schema without named fields (a bare string, a map)
 * yields a single line describing the whole value.
 */
export function schemaFieldLines(schema: JsonSchema, indent = '  '): string[] {
  const out: string[] = [];
  const holder = fieldsHolder(schema, schema);
  if (!holder) return [`- ${summarizeSchema(schema)}`];
  if (holder !== resolve(schema, schema)) out.push(`- ${summarizeSchema(schema)}, each:`);
  walk(schema, schema, holder === resolve(schema, schema) ? 0 : 1, indent, new Set(), out);
  return out;
}
