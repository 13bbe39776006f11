import { HttpProblem, type CursorCodec } from '@symbia/http';
import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../db/client.js';
import {
  findEntitiesByAddress,
  findEntitiesByNode,
  findEntityById,
  findEntityByKey,
  insertEntity,
  listEntities,
  suggestSlugs,
  updateEntity,
  type EntityAddress,
  type EntityInsert,
  type EntityRow,
  type EntityType,
} from '../db/repos/entities.repo.js';
import { type Role } from '../db/repos/orgs.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { requireOrgRole } from './org-access.js';

export const ENTITY_TYPES = ['user', 'assistant', 'service', 'integration', 'sandbox'] as const satisfies readonly EntityType[];
export const ENTITY_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ENTITY_INSTANCE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENTITY_ID = /^ent_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface EntityInput {
  type: EntityType;
  slug: string;
  displayName: string;
  instanceId?: string;
  capabilities?: string[];
  tags?: string[];
  metadata?: Record<string, unknown>;
}

export type EntityPatch = Partial<Pick<EntityInsert, 'displayName' | 'status' | 'capabilities' | 'tags' | 'metadata'>>;

export function entityView(e: EntityRow) {
  return {
    id: e.id,
    orgId: e.orgId,
    type: e.type,
    slug: e.slug,
    displayName: e.displayName,
    instanceId: e.instanceId,
    status: e.status,
    boundNodeId: e.boundNodeId,
    capabilities: e.capabilities,
    tags: e.tags,
    metadata: e.metadata,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

/** `@slug`, `type:slug`, `ent_<uuid>`, `slug#instance`; a bare slug reads as `@slug`. Anything else matches nothing. */
export function parseAddress(address: string): EntityAddress | undefined {
  if (ENTITY_ID.test(address)) return { id: address };
  const plain = address.startsWith('@') ? address.slice(1) : address;
  const hash = plain.indexOf('#');
  if (hash !== -1) {
    const slug = plain.slice(0, hash);
    const instanceId = plain.slice(hash + 1);
    return ENTITY_SLUG.test(slug) && ENTITY_INSTANCE.test(instanceId) ? { slug, instanceId } : undefined;
  }
  const colon = plain.indexOf(':');
  if (colon !== -1 && plain === address) {
    const type = plain.slice(0, colon) as EntityType;
    const slug = plain.slice(colon + 1);
    return (ENTITY_TYPES as readonly string[]).includes(type) && ENTITY_SLUG.test(slug) ? { type, slug } : undefined;
  }
  return ENTITY_SLUG.test(plain) ? { slug: plain } : undefined;
}

/** The slug-like part of an address, reduced to slug characters, to look for near misses. */
function slugHint(address: string): string {
  const plain = address.replace(/^@/, '');
  const afterType = plain.includes(':') ? plain.slice(plain.indexOf(':') + 1) : plain;
  const beforeInstance = afterType.split('#')[0] ?? '';
  return beforeInstance.toLowerCase().replace(/[^a-z0-9-]/g, '').slice(0, 63);
}

/**
 * The entity directory (outline §2.10): an addressable name for users, assistants, services,
 * integrations and sandboxes of an org, plus platform entities (`orgId: null`) every org sees.
 */
export class EntitiesService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * The org-role rule, with two directory-specific cases: services may read the directory of any
   * org they act in (§1.5: messaging and the mesh address entities), and platform entities are
   * readable by everyone but changed only by super admins.
   */
  private async access(caller: Caller, orgId: string | null, role: Role, notFound = 'IDENTITY_ENTITY_NOT_FOUND'): Promise<void> {
    const p = caller.principal;
    if (!p) throw new HttpProblem('AUTH_REQUIRED');
    if (role === 'viewer' && (p.type === 'service' || orgId === null)) return;
    if (orgId === null) {
      if (p.type === 'user' && p.isSuperAdmin) return;
      throw new HttpProblem('IDENTITY_SUPERADMIN_REQUIRED', { detail: 'Platform entities are managed by super admins' });
    }
    if (p.type === 'service') {
      throw new HttpProblem('IDENTITY_ORG_ROLE_REQUIRED', { detail: `Requires the ${role} role in this organization`, extensions: { requiredRole: role } });
    }
    await requireOrgRole(this.db, caller, orgId, role, notFound);
  }

  private async load(caller: Caller, id: string, role: Role): Promise<EntityRow> {
    const row = ENTITY_ID.test(id) ? await findEntityById(this.db, id) : undefined;
    if (!row) throw new HttpProblem('IDENTITY_ENTITY_NOT_FOUND');
    // Visibility first, so a caller who may not see the entity learns nothing from a 403.
    await this.access(caller, row.orgId, 'viewer');
    if (role !== 'viewer') await this.access(caller, row.orgId, role);
    return row;
  }

  async create(caller: Caller, orgId: string, input: EntityInput) {
    await this.access(caller, orgId, 'member', 'IDENTITY_ORG_NOT_FOUND');
    const values = {
      id: `ent_${randomUUID()}`,
      orgId,
      type: input.type,
      slug: input.slug,
      displayName: input.displayName,
      instanceId: input.instanceId ?? null,
      capabilities: input.capabilities ?? [],
      tags: input.tags ?? [],
      metadata: input.metadata ?? {},
    };
    try {
      const row = await this.deps.database.transaction(async (tx) => {
        const created = await insertEntity(tx, values);
        await audit(tx, caller, { action: 'entity.created', orgId, resource: 'entity', resourceId: created.id, metadata: { type: created.type, slug: created.slug } });
        return created;
      });
      return entityView(row);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Looked up after the rollback: on Postgres the failed transaction can run nothing more.
      const existing = await findEntityByKey(this.db, values);
      throw new HttpProblem('IDENTITY_ENTITY_EXISTS', {
        detail: `An entity ${input.type}:${input.slug}${input.instanceId ? `#${input.instanceId}` : ''} already exists`,
        extensions: { existingId: existing?.id ?? null },
      });
    }
  }

  async list(caller: Caller, orgId: string, query: { type?: EntityType; q?: string; limit: number; cursor?: string }) {
    await this.access(caller, orgId, 'viewer', 'IDENTITY_ORG_NOT_FOUND');
    const queryKey = `entities:${orgId}:${query.type ?? ''}:${query.q ?? ''}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    const rows = await listEntities(this.db, orgId, { type: query.type, q: query.q, limit: query.limit + 1, after });
    const page = this.cursors.page(queryKey, rows, query.limit);
    return { entities: page.items.map(entityView), nextCursor: page.nextCursor };
  }

  async get(caller: Caller, id: string) {
    return entityView(await this.load(caller, id, 'viewer'));
  }

  async update(caller: Caller, id: string, patch: EntityPatch) {
    const entity = await this.load(caller, id, 'member');
    return entityView(await this.write(caller, entity, patch, 'entity.updated', { fields: Object.keys(patch) }));
  }

  /** The entity bound to a mesh node that the caller may see; the most recently changed wins. */
  async byNode(caller: Caller, nodeId: string) {
    for (const row of await findEntitiesByNode(this.db, nodeId)) {
      try {
        await this.access(caller, row.orgId, 'viewer');
        return entityView(row);
      } catch (err) {
        if (!(err instanceof HttpProblem)) throw err;
      }
    }
    throw new HttpProblem('IDENTITY_ENTITY_NOT_FOUND', { detail: 'No entity is bound to that node' });
  }

  async resolve(caller: Caller, orgId: string, address: string) {
    await this.access(caller, orgId, 'viewer', 'IDENTITY_ORG_NOT_FOUND');
    const parsed = parseAddress(address);
    const rows = parsed ? await findEntitiesByAddress(this.db, orgId, parsed) : [];
    if (rows.length === 0) {
      const suggestions = await suggestSlugs(this.db, orgId, slugHint(address));
      throw new HttpProblem('IDENTITY_ENTITY_NOT_FOUND', { detail: 'No entity answers to that address', extensions: { suggestions } });
    }
    return { address, count: rows.length, resolved: rows.map(entityView) };
  }

  /** The network service binds any entity; otherwise an admin of the entity's org. */
  async bind(caller: Caller, id: string, nodeId: string | null, onlyIfBoundTo?: string) {
    const p = caller.principal;
    const network = p?.type === 'service' && p.serviceId === 'network';
    const entity = await this.load(caller, id, network ? 'viewer' : 'admin');
    if (nodeId === null && onlyIfBoundTo !== undefined && entity.boundNodeId !== onlyIfBoundTo) return entityView(entity);
    const action = nodeId === null ? 'entity.unbound' : 'entity.bound';
    return entityView(await this.write(caller, entity, { boundNodeId: nodeId }, action, { nodeId: nodeId ?? entity.boundNodeId }));
  }

  private async write(caller: Caller, entity: EntityRow, patch: Partial<EntityInsert>, action: string, metadata: Record<string, unknown>) {
    return this.deps.database.transaction(async (tx) => {
      const row = await updateEntity(tx, entity.id, patch);
      if (!row) throw new HttpProblem('IDENTITY_ENTITY_NOT_FOUND');
      await audit(tx, caller, { action, orgId: entity.orgId, resource: 'entity', resourceId: entity.id, metadata });
      return row;
    });
  }
}
