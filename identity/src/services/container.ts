import { CursorCodec } from '@symbia/http';
import { AdminService } from './admin.service.js';
import { AgentsService } from './agents.service.js';
import { ApplicationsService } from './applications.service.js';
import { ApiKeysService } from './api-keys.service.js';
import { CredentialsService } from './credentials.service.js';
import type { IdentityDeps } from './deps.js';
import { EntitiesService } from './entities.service.js';
import { MembersService } from './members.service.js';
import { OrgsService } from './orgs.service.js';
import { ProjectsService } from './projects.service.js';
import { ScopedEntitlementsService } from './scoped-entitlements.service.js';
import { ServiceAccountsService } from './service-accounts.service.js';
import { UserAuthService } from './user-auth.service.js';
import { UsersService } from './users.service.js';

/** Every identity service object, built once from the deps; routes receive this. */
export function createIdentityServices(deps: IdentityDeps) {
  const cursors = new CursorCodec(deps.config.peppers.cursor);
  const userAuth = new UserAuthService(deps);
  return {
    deps,
    cursors,
    userAuth,
    users: new UsersService(deps, userAuth),
    agents: new AgentsService(deps, cursors),
    serviceAccounts: new ServiceAccountsService(deps),
    apiKeys: new ApiKeysService(deps, cursors),
    orgs: new OrgsService(deps, cursors),
    members: new MembersService(deps, cursors),
    admin: new AdminService(deps, cursors),
    introspection: deps.introspection,
    projects: new ProjectsService(deps, cursors),
    applications: new ApplicationsService(deps, cursors),
    scopedEntitlements: new ScopedEntitlementsService(deps),
    credentials: new CredentialsService(deps),
    entities: new EntitiesService(deps, cursors),
  };
}

export type IdentityServices = ReturnType<typeof createIdentityServices>;
