import { findPlanByName, insertPlanIfMissing } from '../db/repos/orgs.repo.js';
import { findUserByEmail, insertUser, updateUser } from '../db/repos/users.repo.js';
import type { IdentityDeps } from './deps.js';
import type { ServiceAccountsService } from './service-accounts.service.js';

/** Plans every fresh installation starts with; `-1` is unlimited (§2.5). */
const DEFAULT_PLANS = [
  { name: 'free', features: ['catalog', 'messaging', 'runtime', 'assistants', 'logging'], limits: { members: 5, projects: 3, agents: 5, apiKeys: 10 }, priceCents: 0 },
  { name: 'pro', features: ['catalog', 'messaging', 'runtime', 'assistants', 'logging', 'integrations', 'sso'], limits: { members: 50, projects: -1, agents: 100, apiKeys: 200 }, priceCents: 4900 },
  { name: 'enterprise', features: ['catalog', 'messaging', 'runtime', 'assistants', 'logging', 'integrations', 'sso', 'audit-export'], limits: { members: -1, projects: -1, agents: -1, apiKeys: -1 }, priceCents: 0 },
];

/**
 * Idempotent start-up work: default plans, the first super admin from the environment (there is
 * no default account), and the service accounts of IDENTITY_SERVICE_SECRETS.
 */
export async function bootstrapIdentity(deps: IdentityDeps, serviceAccounts: ServiceAccountsService): Promise<void> {
  const db = deps.database.db;
  for (const plan of DEFAULT_PLANS) await insertPlanIfMissing(db, plan);
  if (!(await findPlanByName(db, deps.config.defaultPlan))) {
    await insertPlanIfMissing(db, { name: deps.config.defaultPlan, features: [], limits: {}, priceCents: 0 });
  }
  const admin = deps.config.bootstrapAdmin;
  if (admin) {
    const existing = await findUserByEmail(db, admin.email);
    if (!existing) {
      const passwordHash = await deps.passwords.hash(admin.password);
      await insertUser(db, { email: admin.email, name: 'Super Admin', passwordHash, isSuperAdmin: true });
      deps.logger.info({ email: admin.email }, 'bootstrap super admin created');
    } else if (!existing.isSuperAdmin) {
      await updateUser(db, existing.id, { isSuperAdmin: true });
      deps.logger.info({ email: admin.email }, 'bootstrap user promoted to super admin');
    }
  }
  await serviceAccounts.syncFromConfig();
}
