import { scopesCover } from '@symbia/http';
import type { Db } from '../db/client.js';
import { findOrgById } from '../db/repos/orgs.repo.js';
import { findAgentById, findApiKeyByPrefix, findServiceAccountByServiceId, recordApiKeyUse, type ApiKeyRow } from '../db/repos/principals.repo.js';
import { isTokenDenied } from '../db/repos/tokens.repo.js';
import { findUserById, type UserRow } from '../db/repos/users.repo.js';
import { loadUserAccess } from './access.service.js';
import type { TokenClaims, TokenSigner } from './jwt.js';
import { API_KEY_PATTERN, type SecretHasher } from './secrets.js';

export type IntrospectionAnswer = { active: false } | ({ active: true } & Record<string, unknown>);
export type ApiKeyCheck =
  | { valid: true; key: ApiKeyRow; creator: UserRow }
  | { valid: false; error: 'API key is required' | 'Invalid API key' | 'API key has been revoked' | 'API key has expired' };

const INACTIVE = { active: false } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whole seconds: a token issued in the same second as a revocation is revoked too (see revokeAllFor). */
export function issuedBefore(iat: number, validAfter: Date | null): boolean {
  return validAfter !== null && iat * 1000 < validAfter.getTime();
}

/**
 * RFC 7662 answers of §2.3, and the one place that decides whether a credential is active. Identity's
 * own auth middleware uses the same answers, so what identity accepts and what other services are
 * told can never differ.
 */
export class IntrospectionService {
  private readonly pendingUses = new Map<string, { count: number; lastWrite: number }>();

  constructor(
    private readonly db: Db,
    private readonly signer: TokenSigner,
    private readonly secrets: SecretHasher,
  ) {}

  async introspect(token: string | undefined): Promise<IntrospectionAnswer> {
    if (!token) return INACTIVE;
    if (token.startsWith('sk_')) return this.introspectApiKey(token);
    const claims = this.signer.verify(token);
    if (!claims || !UUID.test(claims.jti)) return INACTIVE;
    if (await isTokenDenied(this.db, claims.jti)) return INACTIVE;
    switch (claims.type) {
      case 'user':
        return this.introspectUser(claims);
      case 'agent':
        return this.introspectAgent(claims);
      case 'service':
        return this.introspectService(claims);
    }
  }

  private base(claims: TokenClaims) {
    return { active: true as const, token_type: 'Bearer', type: claims.type, sub: claims.sub, iss: claims.iss, aud: claims.aud, jti: claims.jti, iat: claims.iat, exp: claims.exp };
  }

  private async introspectUser(claims: TokenClaims): Promise<IntrospectionAnswer> {
    if (!UUID.test(claims.sub)) return INACTIVE;
    const user = await findUserById(this.db, claims.sub);
    if (!user || !user.isActive || issuedBefore(claims.iat, user.tokensValidAfter)) return INACTIVE;
    const access = await loadUserAccess(this.db, user.id);
    return {
      ...this.base(claims),
      username: user.email,
      scope: '',
      email: user.email,
      name: user.name,
      isSuperAdmin: user.isSuperAdmin,
      organizations: access.organizations,
      entitlements: access.entitlements,
      roles: access.roles,
    };
  }

  private async introspectAgent(claims: TokenClaims): Promise<IntrospectionAnswer> {
    if (!UUID.test(claims.sub)) return INACTIVE;
    const agent = await findAgentById(this.db, claims.sub);
    if (!agent || !agent.isActive || issuedBefore(claims.iat, agent.tokensValidAfter)) return INACTIVE;
    const org = await findOrgById(this.db, agent.orgId);
    if (!org) return INACTIVE;
    return {
      ...this.base(claims),
      client_id: agent.agentId,
      username: agent.agentId,
      scope: agent.capabilities.join(' '),
      name: agent.name,
      isSuperAdmin: false,
      organizations: [{ id: org.id, name: org.name, slug: org.slug, role: 'agent', capabilities: agent.capabilities }],
      agentId: agent.agentId,
      orgId: agent.orgId,
      capabilities: agent.capabilities,
    };
  }

  private async introspectService(claims: TokenClaims): Promise<IntrospectionAnswer> {
    const serviceId = claims.sub.startsWith('svc:') ? claims.sub.slice(4) : '';
    const account = serviceId ? await findServiceAccountByServiceId(this.db, serviceId) : undefined;
    if (!account || issuedBefore(claims.iat, account.tokensValidAfter)) return INACTIVE;
    return {
      ...this.base(claims),
      client_id: serviceId,
      username: serviceId,
      scope: account.scopes.join(' '),
      isSuperAdmin: false,
      organizations: [],
      serviceId,
      scopes: account.scopes,
    };
  }

  /** Shape check first (no lookup for a malformed key), then prefix lookup and constant-time compare. */
  async checkApiKey(key: string | undefined, now = new Date()): Promise<ApiKeyCheck> {
    if (!key) return { valid: false, error: 'API key is required' };
    if (!API_KEY_PATTERN.test(key)) return { valid: false, error: 'Invalid API key' };
    const row = await findApiKeyByPrefix(this.db, key.slice(0, 11));
    if (!row || row.deletedAt || !this.secrets.verify(key, { salt: row.salt, hash: row.keyHash })) return { valid: false, error: 'Invalid API key' };
    if (row.revokedAt && row.revokedAt <= now) return { valid: false, error: 'API key has been revoked' };
    if (row.expiresAt && row.expiresAt <= now) return { valid: false, error: 'API key has expired' };
    const creator = await findUserById(this.db, row.createdBy);
    if (!creator || !creator.isActive) return { valid: false, error: 'Invalid API key' };
    await this.noteUse(row.id, now);
    return { valid: true, key: row, creator };
  }

  private async introspectApiKey(token: string): Promise<IntrospectionAnswer> {
    const check = await this.checkApiKey(token);
    if (!check.valid) return INACTIVE;
    const { key, creator } = check;
    const access = await loadUserAccess(this.db, creator.id);
    const orgs = key.orgId ? access.organizations.filter((o) => o.id === key.orgId) : access.organizations;
    // A key bound to an org its creator has left grants nothing: treat it as inactive.
    if (key.orgId && orgs.length === 0) return INACTIVE;
    return {
      active: true,
      token_type: 'api_key',
      type: 'api_key',
      sub: creator.id,
      client_id: key.id,
      username: creator.email,
      iat: Math.floor(key.createdAt.getTime() / 1000),
      ...(key.expiresAt ? { exp: Math.floor(key.expiresAt.getTime() / 1000) } : {}),
      scope: key.scopes.join(' '),
      email: creator.email,
      name: key.name,
      isSuperAdmin: false,
      organizations: orgs.map((o) => ({ ...o, capabilities: o.capabilities.filter((c) => scopesCover(key.scopes, c)) })),
      keyId: key.id,
      orgId: key.orgId,
      scopes: key.scopes,
      serviceId: key.serviceId,
      env: key.env,
    };
  }

  /** `lastUsedAt`/`useCount` are written at most once a minute per key; uses in between are summed. */
  private async noteUse(keyId: string, now: Date): Promise<void> {
    const entry = this.pendingUses.get(keyId) ?? { count: 0, lastWrite: 0 };
    entry.count += 1;
    this.pendingUses.set(keyId, entry);
    if (now.getTime() - entry.lastWrite < 60_000) return;
    const uses = entry.count;
    entry.count = 0;
    entry.lastWrite = now.getTime();
    await recordApiKeyUse(this.db, keyId, uses, now);
  }
}
