import { HttpProblem, rateLimitedProblem } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import { listUserOrgs } from '../db/repos/orgs.repo.js';
import { denyToken } from '../db/repos/tokens.repo.js';
import { findUserByEmail, insertUser, updateUser, type UserRow } from '../db/repos/users.repo.js';
import { audit } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { USER_TOKEN_TTL, type TokenClaims } from './jwt.js';
import { createOrgWithAdmin, freeSlug, slugify } from './orgs-create.js';
import { passwordWeakness } from './passwords.js';
import { orgSummary, userView } from './views.js';

export interface IssuedToken {
  token: string;
  expiresAt: string;
}

/**
 * The instant after which a user's (or agent's) tokens are valid again: the next whole second, so
 * every token issued up to now, including this second, is revoked, and a token issued with
 * `notBefore` = this instant is not.
 */
export function revocationInstant(now = Date.now()): Date {
  return new Date((Math.floor(now / 1000) + 1) * 1000);
}

export class UserAuthService {
  constructor(private readonly deps: IdentityDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * A token issued right after a revocation (same second) must not fall under it: `iat` is lifted
   * to the user's `tokensValidAfter` when that instant is still ahead.
   */
  issueUserToken(user: UserRow, notBefore: Date | undefined = user.tokensValidAfter ?? undefined): IssuedToken {
    const { token, expiresAt } = this.deps.signer.sign({
      sub: user.id,
      type: 'user',
      ttlSeconds: USER_TOKEN_TTL,
      email: user.email,
      name: user.name,
      notBefore: notBefore ? notBefore.getTime() / 1000 : undefined,
    });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  assertStrongPassword(password: string, email: string): void {
    const weakness = passwordWeakness(password, email);
    if (weakness) throw new HttpProblem('IDENTITY_PASSWORD_WEAK', { detail: weakness });
  }

  async register(caller: Caller, input: { email: string; password: string; name: string; orgName?: string }) {
    if (!this.deps.config.registrationOpen) throw new HttpProblem('IDENTITY_REGISTRATION_CLOSED', { detail: 'Registration is closed on this platform' });
    this.assertStrongPassword(input.password, input.email);
    if (await findUserByEmail(this.db, input.email)) throw new HttpProblem('IDENTITY_EMAIL_TAKEN', { detail: 'That email is already registered' });
    const passwordHash = await this.deps.passwords.hash(input.password);
    const user = await this.deps.database.transaction(async (tx) => {
      let created: UserRow;
      try {
        created = await insertUser(tx, { email: input.email, name: input.name, passwordHash });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_EMAIL_TAKEN', { detail: 'That email is already registered' });
        throw err;
      }
      const self = { ...caller, principal: undefined };
      await audit(tx, self, { action: 'user.registered', resource: 'user', resourceId: created.id, actor: { actorType: 'user', actorId: created.id } });
      if (input.orgName) {
        const org = await createOrgWithAdmin(tx, {
          name: input.orgName,
          slug: await freeSlug(tx, slugify(input.orgName)),
          adminUserId: created.id,
          defaultPlan: this.deps.config.defaultPlan,
        });
        await audit(tx, self, { action: 'org.created', orgId: org.id, resource: 'org', resourceId: org.id, actor: { actorType: 'user', actorId: created.id } });
      }
      return created;
    });
    const organizations = (await listUserOrgs(this.db, user.id)).map(orgSummary);
    return { user: { ...userView(user), organizations }, ...this.issueUserToken(user) };
  }

  /**
   * Unknown email, wrong password and disabled account take the same path to the same answer:
   * one bcrypt verification each (a dummy hash for unknown emails) and the same problem.
   */
  async login(caller: Caller, input: { email: string; password: string }) {
    const account = `user:${input.email}`;
    const standing = await this.deps.loginFailures.peek(account);
    if (!standing.allowed) throw rateLimitedProblem(standing, 'Too many failed logins for this account; retry later');
    const user = await findUserByEmail(this.db, input.email);
    const ok = user ? await this.deps.passwords.verify(input.password, user.passwordHash) : await this.deps.passwords.verifyDummy(input.password);
    if (!user || !ok || !user.isActive) {
      await this.deps.loginFailures.hit(account);
      await audit(this.db, caller, {
        action: 'user.login_failed',
        resource: 'user',
        resourceId: user?.id ?? null,
        actor: { actorType: 'system', actorId: null },
        metadata: { email: input.email },
      });
      throw new HttpProblem('IDENTITY_CREDENTIALS_INVALID', { detail: 'Email or password is incorrect' });
    }
    await audit(this.db, caller, { action: 'user.login', resource: 'user', resourceId: user.id, actor: { actorType: 'user', actorId: user.id } });
    const organizations = (await listUserOrgs(this.db, user.id)).map(orgSummary);
    return { user: { ...userView(user), organizations }, ...this.issueUserToken(user) };
  }

  /** Deny-list one token until its own expiry, and tell every service's auth cache. */
  /** Returns false when the token was already revoked, so a refresh can be spent only once. */
  async revokeToken(claims: TokenClaims): Promise<boolean> {
    const first = await denyToken(this.db, claims.jti, claims.sub, new Date(claims.exp * 1000));
    if (first) this.deps.events.publish('identity.token.revoked', { jti: claims.jti, sub: claims.sub, exp: claims.exp });
    return first;
  }

  async logout(caller: Caller, rawToken: string | undefined): Promise<void> {
    const claims = rawToken ? this.deps.signer.verify(rawToken) : undefined;
    if (!claims) return;
    await this.revokeToken(claims);
    if (claims.type === 'user') {
      await audit(this.db, caller, { action: 'user.logout', resource: 'user', resourceId: claims.sub, actor: { actorType: 'user', actorId: claims.sub } });
    }
  }

  /** Every token of the user stops working; emits `identity.user.sessionsRevoked`. */
  async revokeAllSessions(userId: string): Promise<Date> {
    const notBefore = revocationInstant();
    await updateUser(this.db, userId, { tokensValidAfter: notBefore });
    this.deps.events.publish('identity.user.sessionsRevoked', { userId, notBefore: notBefore.toISOString() });
    return notBefore;
  }
}
