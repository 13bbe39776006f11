import { HttpProblem, type CursorCodec } from '@symbia/http';
import type { Db } from '../db/client.js';
import { findMembership } from '../db/repos/orgs.repo.js';
import { findApiKeyById, insertApiKey, listApiKeys, updateApiKey, type ApiKeyRow } from '../db/repos/principals.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { isUuid } from './ids.js';
import { generateApiKey } from './secrets.js';
import { apiKeyView } from './views.js';

export interface CreateApiKeyInput {
  name: string;
  description?: string;
  orgId?: string;
  scopes?: string[];
  serviceId?: string;
  env?: string;
  expiresAt?: Date;
}

const WARNING = 'Store this key now; it cannot be shown again.';
/** Plaintext credentials leave identity only to integrations' service identity, never via a key. */
const NEVER_ON_KEYS = new Set(['identity:credentials.read', 'identity:*']);

export class ApiKeysService {
  constructor(private readonly deps: IdentityDeps, private readonly cursors: CursorCodec) {}

  private get db() {
    return this.deps.database.db;
  }

  private userId(caller: Caller): string {
    const p = caller.principal;
    if (!p || p.type !== 'user') throw new HttpProblem('IDENTITY_USER_TOKEN_REQUIRED');
    return p.id;
  }

  private isSuperAdmin(caller: Caller): boolean {
    return caller.principal?.type === 'user' && caller.principal.isSuperAdmin;
  }

  private checkScopes(caller: Caller, scopes: string[]): void {
    const refused = scopes.filter((s) => NEVER_ON_KEYS.has(s) || (s === 'identity:introspect' && !this.isSuperAdmin(caller)));
    if (refused.length > 0) {
      throw new HttpProblem('IDENTITY_SCOPE_NOT_GRANTABLE', { detail: `Not grantable on an API key: ${refused.join(', ')}`, extensions: { scopes: refused } });
    }
  }

  private async mint(db: Db, createdBy: string, input: CreateApiKeyInput, rotatedFrom?: string) {
    const { key, keyPrefix } = generateApiKey();
    const hashed = this.deps.secrets.hash(key);
    const row = await insertApiKey(db, {
      name: input.name,
      description: input.description ?? null,
      keyPrefix,
      salt: hashed.salt,
      keyHash: hashed.hash,
      createdBy,
      orgId: input.orgId ?? null,
      scopes: input.scopes ?? ['*'],
      serviceId: input.serviceId ?? null,
      env: input.env ?? null,
      expiresAt: input.expiresAt ?? null,
      rotatedFrom: rotatedFrom ?? null,
    });
    return { row, key };
  }

  private present(row: ApiKeyRow, key: string) {
    const { lastUsedAt: _l, useCount: _u, revokedAt: _r, createdBy: _c, ...view } = apiKeyView(row);
    return { ...view, key, _warning: WARNING };
  }

  async create(caller: Caller, input: CreateApiKeyInput) {
    const userId = this.userId(caller);
    const scopes = input.scopes ?? ['*'];
    this.checkScopes(caller, scopes);
    // A key acts with its creator's rights in its org, never with super-admin power, so even a super
    // admin binds keys only to orgs they belong to (a missing org is refused alike, never a 500).
    if (input.orgId && !(await findMembership(this.db, input.orgId, userId))) {
      throw new HttpProblem('TENANT_ORG_FORBIDDEN', { detail: 'You can bind a key only to one of your organizations' });
    }
    return this.deps.database.transaction(async (tx) => {
      const { row, key } = await this.mint(tx, userId, { ...input, scopes });
      await audit(tx, caller, { action: 'api_key.created', orgId: row.orgId, resource: 'api_key', resourceId: row.id, metadata: { keyPrefix: row.keyPrefix, scopes } });
      return this.present(row, key);
    });
  }

  async list(caller: Caller, query: { orgId?: string; includeRevoked?: boolean; limit: number; cursor?: string }) {
    const userId = this.userId(caller);
    const queryKey = `api-keys:${userId}:${query.orgId ?? ''}:${query.includeRevoked ? 1 : 0}`;
    const after = query.cursor ? this.cursors.decode(queryKey, query.cursor) : undefined;
    let filter: { createdBy?: string; orgId?: string };
    if (query.orgId) {
      const membership = await findMembership(this.db, query.orgId, userId);
      // Org admins (and SA) see every key bound to the org; others only their own there.
      filter = this.isSuperAdmin(caller) || membership?.role === 'admin' ? { orgId: query.orgId } : { createdBy: userId, orgId: query.orgId };
    } else {
      filter = { createdBy: userId };
    }
    const rows = await listApiKeys(this.db, { ...filter, includeRevoked: query.includeRevoked ?? false, limit: query.limit + 1, after });
    const page = this.cursors.page(queryKey, rows, query.limit);
    return { apiKeys: page.items.map(apiKeyView), nextCursor: page.nextCursor };
  }

  /** Creator, org admin of the bound org, or SA; anybody else is told the key does not exist. */
  async getManageable(caller: Caller, id: string): Promise<ApiKeyRow> {
    const userId = this.userId(caller);
    const row = isUuid(id) ? await findApiKeyById(this.db, id) : undefined;
    if (!row || row.deletedAt) throw new HttpProblem('IDENTITY_KEY_NOT_FOUND');
    if (row.createdBy === userId || this.isSuperAdmin(caller)) return row;
    if (row.orgId && (await findMembership(this.db, row.orgId, userId))?.role === 'admin') return row;
    throw new HttpProblem('IDENTITY_KEY_NOT_FOUND');
  }

  /** The `apiKey` part of `/api/auth/me` for a key that introspection already accepted. */
  async describeForIntrospection(id: string) {
    const row = await findApiKeyById(this.db, id);
    if (!row) throw new HttpProblem('AUTH_INVALID');
    return { id: row.id, name: row.name, keyPrefix: row.keyPrefix, orgId: row.orgId, scopes: row.scopes, expiresAt: row.expiresAt?.toISOString() ?? null };
  }

  async get(caller: Caller, id: string) {
    return apiKeyView(await this.getManageable(caller, id));
  }

  private isRevoked(row: ApiKeyRow, now = new Date()): boolean {
    return row.revokedAt !== null && row.revokedAt <= now;
  }

  async revoke(caller: Caller, id: string) {
    const row = await this.getManageable(caller, id);
    if (this.isRevoked(row)) throw new HttpProblem('IDENTITY_KEY_ALREADY_REVOKED');
    const updated = await this.deps.database.transaction(async (tx) => {
      const u = await updateApiKey(tx, id, { revokedAt: new Date() });
      await audit(tx, caller, { action: 'api_key.revoked', orgId: row.orgId, resource: 'api_key', resourceId: id, metadata: { keyPrefix: row.keyPrefix } });
      return u!;
    });
    this.deps.events.publish('identity.key.revoked', { keyId: id, keyPrefix: row.keyPrefix });
    return apiKeyView(updated);
  }

  /** A new key with the same attributes; the old one is revoked when the grace period ends. */
  async rotate(caller: Caller, id: string, gracePeriodSeconds: number) {
    const old = await this.getManageable(caller, id);
    if (this.isRevoked(old)) throw new HttpProblem('IDENTITY_KEY_ALREADY_REVOKED');
    const result = await this.deps.database.transaction(async (tx) => {
      const input = {
        name: old.name,
        description: old.description ?? undefined,
        orgId: old.orgId ?? undefined,
        scopes: old.scopes,
        serviceId: old.serviceId ?? undefined,
        env: old.env ?? undefined,
        expiresAt: old.expiresAt ?? undefined,
      };
      // The new key belongs to the old key's creator even when an org admin rotates it.
      const { row, key } = await this.mint(tx, old.createdBy, input, old.id);
      await updateApiKey(tx, old.id, { revokedAt: new Date(Date.now() + gracePeriodSeconds * 1000) });
      await audit(tx, caller, { action: 'api_key.rotated', orgId: old.orgId, resource: 'api_key', resourceId: row.id, metadata: { rotatedFrom: old.id, gracePeriodSeconds } });
      return { ...this.present(row, key), rotatedFrom: old.id };
    });
    if (gracePeriodSeconds === 0) this.deps.events.publish('identity.key.revoked', { keyId: old.id, keyPrefix: old.keyPrefix });
    return result;
  }

  async remove(caller: Caller, id: string): Promise<void> {
    const row = await this.getManageable(caller, id);
    const now = new Date();
    await this.deps.database.transaction(async (tx) => {
      await updateApiKey(tx, id, { deletedAt: now, revokedAt: this.isRevoked(row, now) ? row.revokedAt : now });
      await audit(tx, caller, { action: 'api_key.deleted', orgId: row.orgId, resource: 'api_key', resourceId: id, metadata: { keyPrefix: row.keyPrefix } });
    });
    this.deps.events.publish('identity.key.revoked', { keyId: id, keyPrefix: row.keyPrefix });
  }
}
