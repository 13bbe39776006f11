import type { JsonSchema } from '@symbia/md';

/** Building blocks of the OpenAPI document: shared components and the `$defs` hoisting they need. */

/** `/api/orgs/:orgId` → `/api/orgs/{orgId}` (and a final `*rest` → `{rest}`). */
export function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/[:*]([A-Za-z_$][A-Za-z0-9_$]*)/g, '{$1}');
}

/** Outline §1.4. Extension members (`requiredCapability`, `retryAfter`…) are allowed alongside. */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code', 'requestId'],
  properties: {
    type: { type: 'string', description: '`urn:symbia:problem:<code>`', examples: ['urn:symbia:problem:VALIDATION_FAILED'] },
    title: { type: 'string', description: 'Fixed short text per code' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'Equals the HTTP status' },
    detail: { type: 'string', description: 'Specific to this occurrence' },
    code: { type: 'string', description: 'Stable machine code (see x-problem-codes)' },
    requestId: { type: 'string', description: 'Equals the X-Request-Id response header' },
    errors: {
      type: 'array',
      description: 'Only on VALIDATION_FAILED: one entry per failing field',
      items: {
        type: 'object',
        required: ['location', 'path', 'message', 'code'],
        properties: {
          location: { type: 'string', enum: ['body', 'query', 'params', 'headers'] },
          path: { type: 'string', description: 'Dot-joined, array indices as numbers: `entries.3.level`' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
  additionalProperties: true,
};

export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'User, agent or service JWT' },
  apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key (`sk_…`)' },
  cookieAuth: { type: 'apiKey', in: 'cookie', name: 'token', description: 'Browser session; unsafe methods need an allowed Origin' },
} as const;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^_+/, '') || 'schema';
}

/**
 * Collects `components.schemas`. A zod-generated schema keeps shared and recursive parts in its
 * own `$defs`, referenced as `#/$defs/Name` (or `#` for the root itself), which would resolve
 * against the OpenAPI document instead of the schema once embedded. `embed` moves them into
 * components and rewrites the references.
 */
interface Converted {
  body: JsonSchema;
  defs: Array<[string, JsonSchema]>;
}

function convert(schema: JsonSchema, base: string, prefixAll: boolean): Converted {
  const defs = isObject(schema.$defs) ? schema.$defs : {};
  const names = new Map<string, string>();
  for (const name of Object.keys(defs)) {
    // Generated names (`__schema0`) are only unique per schema; ids given with `.meta({id})` are global.
    names.set(name, prefixAll || name.startsWith('__') ? `${base}.${sanitize(name)}` : sanitize(name));
  }
  let rootRef: string | undefined;
  const refFor = (ref: string): string => {
    if (ref === '#') {
      rootRef ??= `#/components/schemas/${base}`;
      return rootRef;
    }
    const name = ref.startsWith('#/$defs/') ? names.get(ref.slice('#/$defs/'.length)) : undefined;
    return name ? `#/components/schemas/${name}` : ref;
  };
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!isObject(node)) return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === '$ref' && typeof value === 'string' ? refFor(value) : rewrite(value);
    }
    return out;
  };
  const converted: Array<[string, JsonSchema]> = Object.entries(defs).map(([name, def]) => [names.get(name)!, rewrite(def) as JsonSchema]);
  const { $defs: _defs, ...rest } = schema;
  const body = rewrite(rest) as JsonSchema;
  if (rootRef === undefined) return { body, defs: converted };
  return { body: { $ref: rootRef }, defs: [...converted, [base, body]] };
}

/**
 * Collects `components.schemas`. A zod-generated schema keeps shared and recursive parts in its
 * own `$defs`, referenced as `#/$defs/Name` (or `#` for the root itself), which would resolve
 * against the OpenAPI document instead of the schema once embedded. `embed` moves them into
 * components and rewrites the references.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema>;

  /** `initial` holds the document's own components (Problem), which route schemas cannot replace. */
  constructor(initial: Record<string, JsonSchema> = {}) {
    this.schemas = { ...initial };
  }

  /** `baseName` must be unique per call (operation id + location): it names what is not named. */
  embed(schema: JsonSchema, baseName: string): JsonSchema {
    const base = sanitize(baseName);
    let result = convert(schema, base, false);
    // One `.meta({id})` schema seen as input in one place and as output in another (defaults make
    // fields optional on input) yields two different definitions: keep both, under local names.
    if (result.defs.some(([name, def]) => this.conflicts(name, def))) result = convert(schema, base, true);
    for (const [name, def] of result.defs) this.schemas[name] = def;
    return result.body;
  }

  private conflicts(name: string, schema: JsonSchema): boolean {
    const existing = this.schemas[name];
    return existing !== undefined && JSON.stringify(existing) !== JSON.stringify(schema);
  }
}
