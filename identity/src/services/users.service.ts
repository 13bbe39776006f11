import { HttpProblem } from '@symbia/http';
import { isUniqueViolation } from '../db/client.js';
import { listAudit } from '../db/repos/audit.repo.js';
import { findPlanById, listUserOrgs, memberCounts } from '../db/repos/orgs.repo.js';
import { consumeReset, insertReset } from '../db/repos/resets.repo.js';
import { findUserByEmail, findUserById, updateUser, type UserRow } from '../db/repos/users.repo.js';
import { loadUserAccess } from './access.service.js';
import { audit, auditView } from './audit.service.js';
import type { Caller } from './caller.js';
import type { IdentityDeps } from './deps.js';
import { generateResetToken, sha256Hex } from './secrets.js';
import { revocationInstant, type UserAuthService } from './user-auth.service.js';
import { orgSummary, userDetailView } from './views.js';

const RESET_TTL_MS = 60 * 60 * 1000;
export const FORGOT_MESSAGE = 'If that account exists, a reset link has been sent.';

export class UsersService {
  constructor(private readonly deps: IdentityDeps, private readonly auth: UserAuthService) {}

  private get db() {
    return this.deps.database.db;
  }

  async getUser(userId: string): Promise<UserRow> {
    const user = await findUserById(this.db, userId);
    if (!user) throw new HttpProblem('IDENTITY_USER_NOT_FOUND');
    return user;
  }

  /** `onlyOrgId`: an API key bound to that org sees only it among the creator's orgs. */
  async me(userId: string, onlyOrgId?: string) {
    const user = await this.getUser(userId);
    const access = await loadUserAccess(this.db, user.id);
    const organizations = access.organizations.filter((o) => !onlyOrgId || o.id === onlyOrgId).map(orgSummary);
    return { ...userDetailView(user), organizations, entitlements: access.entitlements, roles: access.roles };
  }

  async updateMe(caller: Caller, userId: string, patch: { name?: string; email?: string; currentPassword?: string }) {
    const user = await this.getUser(userId);
    const emailChanges = patch.email !== undefined && patch.email !== user.email;
    if (emailChanges) {
      const ok = patch.currentPassword !== undefined && (await this.deps.passwords.verify(patch.currentPassword, user.passwordHash));
      if (!ok) throw new HttpProblem('IDENTITY_CURRENT_PASSWORD_INVALID', { detail: 'Changing the email needs the current password' });
    }
    await this.deps.database.transaction(async (tx) => {
      try {
        await updateUser(tx, userId, { name: patch.name, email: emailChanges ? patch.email : undefined });
      } catch (err) {
        if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_EMAIL_TAKEN', { detail: 'That email is already registered' });
        throw err;
      }
      await audit(tx, caller, { action: 'user.updated', resource: 'user', resourceId: userId, metadata: { fields: Object.keys(patch).filter((k) => k !== 'currentPassword') } });
    });
    return this.me(userId);
  }

  /** Every other session ends; the caller gets a fresh token that outlives the revocation. */
  async changePassword(caller: Caller, userId: string, input: { currentPassword: string; newPassword: string }) {
    const user = await this.getUser(userId);
    if (!(await this.deps.passwords.verify(input.currentPassword, user.passwordHash))) {
      throw new HttpProblem('IDENTITY_CURRENT_PASSWORD_INVALID', { detail: 'The current password is incorrect' });
    }
    this.auth.assertStrongPassword(input.newPassword, user.email);
    const passwordHash = await this.deps.passwords.hash(input.newPassword);
    const notBefore = revocationInstant();
    const updated = await this.deps.database.transaction(async (tx) => {
      const row = await updateUser(tx, userId, { passwordHash, tokensValidAfter: notBefore });
      await audit(tx, caller, { action: 'user.password_changed', resource: 'user', resourceId: userId });
      return row!;
    });
    this.deps.events.publish('identity.user.sessionsRevoked', { userId, notBefore: notBefore.toISOString() });
    return this.auth.issueUserToken(updated, notBefore);
  }

  async revokeSessions(caller: Caller, userId: string): Promise<void> {
    const notBefore = revocationInstant();
    await this.deps.database.transaction(async (tx) => {
      await updateUser(tx, userId, { tokensValidAfter: notBefore });
      await audit(tx, caller, { action: 'user.sessions_revoked', resource: 'user', resourceId: userId });
    });
    this.deps.events.publish('identity.user.sessionsRevoked', { userId, notBefore: notBefore.toISOString() });
  }

  /** The same answer whether or not the account exists; a token is made only when mail can go out. */
  async forgotPassword(caller: Caller, email: string) {
    const mailer = this.deps.mailer;
    const user = await findUserByEmail(this.db, email);
    if (user && user.isActive && mailer.enabled) {
      const { token, tokenHash } = generateResetToken();
      await this.deps.database.transaction(async (tx) => {
        await insertReset(tx, { tokenHash, userId: user.id, expiresAt: new Date(Date.now() + RESET_TTL_MS) });
        const link = `${this.deps.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
        await mailer.send(tx, {
          to: user.email,
          subject: 'Reset your Symbia password',
          body: `Someone asked to reset the password of this account. Use this token within one hour:\n\n${token}\n\n${link}\n\nIf it was not you, ignore this message.`,
        });
        await audit(tx, caller, { action: 'user.password_reset_requested', resource: 'user', resourceId: user.id, actor: { actorType: 'system', actorId: null } });
      });
    }
    return { message: FORGOT_MESSAGE, emailEnabled: mailer.enabled };
  }

  async resetPassword(caller: Caller, input: { token: string; password: string }) {
    const tokenHash = sha256Hex(input.token);
    const notBefore = revocationInstant();
    const passwordHash = await this.deps.passwords.hash(input.password);
    const userId = await this.deps.database.transaction(async (tx) => {
      const id = await consumeReset(tx, tokenHash);
      if (!id) throw new HttpProblem('IDENTITY_RESET_TOKEN_INVALID', { detail: 'The reset token is unknown, expired or already used' });
      const user = await findUserById(tx, id);
      if (!user) throw new HttpProblem('IDENTITY_RESET_TOKEN_INVALID');
      this.auth.assertStrongPassword(input.password, user.email);
      await updateUser(tx, id, { passwordHash, tokensValidAfter: notBefore });
      await audit(tx, caller, { action: 'user.password_reset', resource: 'user', resourceId: id, actor: { actorType: 'user', actorId: id } });
      return id;
    });
    this.deps.events.publish('identity.user.sessionsRevoked', { userId, notBefore: notBefore.toISOString() });
    return { message: 'Password updated' };
  }

  async dashboard(userId: string, onlyOrgId?: string) {
    const orgs = (await listUserOrgs(this.db, userId)).filter((o) => !onlyOrgId || o.id === onlyOrgId);
    const counts = await memberCounts(this.db, orgs.map((o) => o.id));
    const planNames = new Map<string, string>();
    for (const planId of new Set(orgs.map((o) => o.planId).filter((p): p is string => p !== null))) {
      const plan = await findPlanById(this.db, planId);
      if (plan) planNames.set(planId, plan.name);
    }
    const recent = await listAudit(this.db, { actorId: userId, orgId: onlyOrgId, limit: 20 });
    return {
      organizations: orgs.map((o) => ({ ...orgSummary(o), memberCount: counts.get(o.id) ?? 0, planName: o.planId ? (planNames.get(o.planId) ?? null) : null })),
      recentActivity: recent.map(auditView),
    };
  }
}
