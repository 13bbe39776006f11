import { HttpProblem, rateLimitedProblem } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import {
  deleteServiceAccount,
  findServiceAccountById,
  findServiceAccountByServiceId,
  insertServiceAccount,
  listServiceAccounts,
  updateServiceAccount,
} from '../db/repos/principals.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import { defaultServiceScopes } from './capability-catalog.js';
import type { IdentityDeps } from './deps.js';
import { SERVICE_TOKEN_TTL } from './jwt.js';
import { generateServiceSecret, SERVICE_SECRET_PATTERN } from './secrets.js';
import { isUuid } from './ids.js';
import { revocationInstant } from './user-auth.service.js';
import { serviceAccountView } from './views.js';

const PLATFORM_SERVICES = new Set(['network', 'identity', 'logging', 'catalog', 'messaging', 'integrations', 'runtime', 'assistants']);

export class ServiceAccountsService {
  constructor(private readonly deps: IdentityDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * `IDENTITY_SERVICE_SECRETS` at startup: create or update each listed account. A platform service
   * gets its §2.2 default scopes; any other id only the base three.
   */
  async syncFromConfig(): Promise<void> {
    for (const { serviceId, secret } of this.deps.config.serviceSecrets) {
      const scopes = PLATFORM_SERVICES.has(serviceId) ? defaultServiceScopes(serviceId) : defaultServiceScopes('');
      const hashed = this.deps.secrets.hash(secret);
      const existing = await findServiceAccountByServiceId(this.db, serviceId);
      if (existing) {
        const same = this.deps.secrets.verify(secret, { salt: existing.salt, hash: existing.secretHash });
        if (!same) await updateServiceAccount(this.db, existing.id, { salt: hashed.salt, secretHash: hashed.hash, scopes, tokensValidAfter: revocationInstant() });
        else await updateServiceAccount(this.db, existing.id, { scopes });
      } else {
        await insertServiceAccount(this.db, { serviceId, scopes, salt: hashed.salt, secretHash: hashed.hash });
      }
    }
  }

  async issueToken(input: { serviceId: string; secret: string }) {
    const standing = await this.deps.loginFailures.peek(`service:${input.serviceId}`);
    if (!standing.allowed) throw rateLimitedProblem(standing);
    const account = await findServiceAccountByServiceId(this.db, input.serviceId);
    const ok = account && SERVICE_SECRET_PATTERN.test(input.secret) && this.deps.secrets.verify(input.secret, { salt: account.salt, hash: account.secretHash });
    if (!account || !ok) {
      await this.deps.loginFailures.hit(`service:${input.serviceId}`);
      throw new HttpProblem('IDENTITY_CREDENTIALS_INVALID', { detail: 'Service id or secret is incorrect' });
    }
    await updateServiceAccount(this.db, account.id, { lastUsedAt: new Date() });
    const notBefore = account.tokensValidAfter ? account.tokensValidAfter.getTime() / 1000 : undefined;
    const { token, expiresAt } = this.deps.signer.sign({
      sub: `svc:${account.serviceId}`,
      type: 'service',
      ttlSeconds: SERVICE_TOKEN_TTL,
      serviceId: account.serviceId,
      scope: account.scopes.join(' '),
      notBefore,
    });
    return { token, tokenType: 'Bearer' as const, expiresIn: SERVICE_TOKEN_TTL, expiresAt: expiresAt.toISOString() };
  }

  async list() {
    return (await listServiceAccounts(this.db)).map(serviceAccountView);
  }

  async create(caller: Caller, input: { serviceId: string; scopes?: string[] }) {
    const secret = generateServiceSecret();
    const hashed = this.deps.secrets.hash(secret);
    const scopes = input.scopes ?? (PLATFORM_SERVICES.has(input.serviceId) ? defaultServiceScopes(input.serviceId) : defaultServiceScopes(''));
    const row = await this.deps.database.transaction(async (tx) => {
      try {
        const created = await insertServiceAccount(tx, { serviceId: input.serviceId, scopes, salt: hashed.salt, secretHash: hashed.hash });
        await audit(tx, caller, { action: 'service_account.created', resource: 'service_account', resourceId: created.id, metadata: { serviceId: input.serviceId } });
        return created;
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_SERVICE_ACCOUNT_EXISTS', { detail: `Service account ${input.serviceId} exists` });
        throw err;
      }
    });
    return { ...serviceAccountView(row), secret };
  }

  private async get(id: string) {
    const row = isUuid(id) ? await findServiceAccountById(this.db, id) : undefined;
    if (!row) throw new HttpProblem('IDENTITY_SERVICE_ACCOUNT_NOT_FOUND');
    return row;
  }

  async update(caller: Caller, id: string, scopes: string[]) {
    await this.get(id);
    const row = await this.deps.database.transaction(async (tx) => {
      const updated = await updateServiceAccount(tx, id, { scopes });
      await audit(tx, caller, { action: 'service_account.updated', resource: 'service_account', resourceId: id, metadata: { scopes } });
      return updated!;
    });
    return serviceAccountView(row);
  }

  async remove(caller: Caller, id: string) {
    const row = await this.get(id);
    await this.deps.database.transaction(async (tx) => {
      await deleteServiceAccount(tx, id);
      await audit(tx, caller, { action: 'service_account.deleted', resource: 'service_account', resourceId: id, metadata: { serviceId: row.serviceId } });
    });
  }

  async rotate(caller: Caller, id: string) {
    await this.get(id);
    const secret = generateServiceSecret();
    const hashed = this.deps.secrets.hash(secret);
    await this.deps.database.transaction(async (tx) => {
      await updateServiceAccount(tx, id, { salt: hashed.salt, secretHash: hashed.hash, tokensValidAfter: revocationInstant() });
      await audit(tx, caller, { action: 'service_account.rotated', resource: 'service_account', resourceId: id });
    });
    return { secret };
  }
}
