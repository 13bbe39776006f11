import { HttpProblem } from '@symbia/http';
import { randomUUID } from 'node:crypto';
import {
  deleteCredential,
  findCredentialInOrg,
  findNewestOrgWide,
  findNewestOwned,
  findUsableById,
  insertCredential,
  listVisibleCredentials,
  touchCredential,
  type CredentialMetadataRow,
  type CredentialRow,
} from '../db/repos/credentials.repo.js';
import { findMembership } from '../db/repos/orgs.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { isUuid } from './ids.js';
import { requireOrgRole } from './org-access.js';
import { VaultCipher } from './vault-crypto.js';

export interface CredentialInput {
  provider: string;
  name: string;
  apiKey: string;
  isOrgWide: boolean;
  metadata?: Record<string, unknown>;
}

/** The only shape a credential leaves identity in, outside the integrations-only fetch. */
function credentialView(c: CredentialMetadataRow) {
  return {
    id: c.id,
    provider: c.provider,
    name: c.name,
    credentialPrefix: c.credentialPrefix,
    isOrgWide: c.isOrgWide,
    orgId: c.orgId,
    ownerId: c.ownerId,
    metadata: c.metadata,
    createdAt: c.createdAt.toISOString(),
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
  };
}

const notFound = () => new HttpProblem('IDENTITY_CREDENTIAL_NOT_FOUND');

/**
 * The credentials vault (outline §2.9): third-party provider keys, encrypted at rest. Users manage
 * metadata; only integrations' service identity (checked by the route) receives plaintext, and
 * every such fetch is audited in the same transaction that stamps `lastUsedAt`.
 */
export class CredentialsService {
  private readonly cipher: VaultCipher;

  constructor(private readonly deps: IdentityDeps) {
    this.cipher = new VaultCipher(deps.config.credentialKey);
  }

  private get db() {
    return this.deps.database.db;
  }

  async create(caller: Caller, orgId: string, input: CredentialInput) {
    await requireOrgRole(this.db, caller, orgId, input.isOrgWide ? 'admin' : 'viewer');
    const ownerId = caller.principal!.id;
    // The id is chosen here because the ciphertext is bound to it (see VaultCipher).
    const id = randomUUID();
    const ciphertext = this.cipher.encrypt(input.apiKey, id);
    const row = await this.deps.database.transaction(async (tx) => {
      const created = await insertCredential(tx, {
        id,
        orgId,
        ownerId,
        provider: input.provider,
        name: input.name,
        credentialPrefix: input.apiKey.slice(0, 8),
        ciphertext,
        isOrgWide: input.isOrgWide,
        metadata: input.metadata ?? {},
      });
      await audit(tx, caller, {
        action: 'credential.created',
        orgId,
        resource: 'credential',
        resourceId: id,
        metadata: { provider: input.provider, name: input.name, isOrgWide: input.isOrgWide },
      });
      return created;
    });
    return credentialView(row);
  }

  async list(caller: Caller, orgId: string) {
    await requireOrgRole(this.db, caller, orgId, 'viewer');
    const rows = await listVisibleCredentials(this.db, orgId, caller.principal!.id);
    return { credentials: rows.map(credentialView) };
  }

  /** Owners delete their own; org-wide ones need an org admin; anyone else's is missing. */
  async remove(caller: Caller, orgId: string, id: string): Promise<void> {
    await requireOrgRole(this.db, caller, orgId, 'viewer');
    const row = isUuid(id) ? await findCredentialInOrg(this.db, orgId, id) : undefined;
    if (!row || (!row.isOrgWide && row.ownerId !== caller.principal!.id)) throw notFound();
    if (row.isOrgWide) await requireOrgRole(this.db, caller, orgId, 'admin', 'IDENTITY_CREDENTIAL_NOT_FOUND');
    await this.deps.database.transaction(async (tx) => {
      await deleteCredential(tx, row.id);
      await audit(tx, caller, { action: 'credential.deleted', orgId, resource: 'credential', resourceId: row.id, metadata: { provider: row.provider, isOrgWide: row.isOrgWide } });
    });
  }

  /**
   * §2.9 resolution for a user in org O: their newest credential for the provider in O, else O's
   * newest org-wide one. A user who is not a member of O gets nothing, org-wide or not.
   */
  async fetchForUser(caller: Caller, orgId: string, userId: string, provider: string) {
    if (!(await findMembership(this.db, orgId, userId))) throw notFound();
    const row = (await findNewestOwned(this.db, orgId, userId, provider)) ?? (await findNewestOrgWide(this.db, orgId, provider));
    if (!row) throw notFound();
    return this.release(caller, row, userId);
  }

  /** By id, for the user named by `X-On-Behalf-Of`: only theirs, or an org-wide one of O. */
  async fetchById(caller: Caller, orgId: string, userId: string, id: string) {
    if (!(await findMembership(this.db, orgId, userId))) throw notFound();
    const row = await findUsableById(this.db, orgId, userId, id);
    if (!row) throw notFound();
    return this.release(caller, row, userId);
  }

  /** Decrypt first, so a key mismatch leaves no audit entry claiming an access that never happened. */
  private async release(caller: Caller, row: CredentialRow, userId: string) {
    const apiKey = this.cipher.decrypt(row.ciphertext, row.id);
    await this.deps.database.transaction(async (tx) => {
      await touchCredential(tx, row.id, new Date());
      await audit(tx, caller, {
        action: 'credential.accessed',
        orgId: row.orgId,
        resource: 'credential',
        resourceId: row.id,
        metadata: { credentialId: row.id, provider: row.provider, onBehalfOf: userId },
      });
    });
    return {
      apiKey,
      credentialId: row.id,
      provider: row.provider,
      ownerId: row.ownerId,
      orgId: row.orgId,
      isOrgWide: row.isOrgWide,
      isProxy: row.isOrgWide && row.ownerId !== userId,
      metadata: row.metadata,
    };
  }
}
