import { HttpProblem, requirePrincipal, type Principal, selectOrg } from '@symbia/http';
import type { Request, RequestHandler } from 'express';
import type { Db } from '../db/client.js';
import type { Caller } from '../services/caller.js';
import { orgExists } from '../services/org-access.js';

/** The audit-relevant facts of a request, handed to services instead of the request itself. */
export function callerOf(req: Request): Caller {
  return { principal: req.ctx.principal, ip: req.ip, userAgent: req.get('user-agent'), requestId: req.ctx.requestId, crossings: crossingsOf(req) };
}

/** The request's list of orgs a super admin entered without membership (see org-crossings.ts). */
export function crossingsOf(req: Request): string[] {
  const locals = req.res!.locals as { orgCrossings?: string[] };
  locals.orgCrossings ??= [];
  return locals.orgCrossings;
}

/** `X-Org-Id` selection (§1.6) with identity's hooks: existence for services and SA, crossing notes. */
export function selectRequestOrg(req: Request, db: Db): Promise<string> {
  return selectOrg(req, undefined, {
    orgExists: (id) => orgExists(db, id),
    onSuperAdminCrossing: (r, orgId) => {
      crossingsOf(r).push(orgId);
    },
  });
}

function guard(check: (p: Principal) => void): RequestHandler {
  return (req, _res, next) => {
    check(requirePrincipal(req));
    next();
  };
}

/** Auth `any`. */
export const anyPrincipal = guard(() => {});

/**
 * §1.6: an org in the path wins, and an `X-Org-Id` naming another org is a 400
 * `TENANT_ORG_CONFLICT`, never silently ignored. A no-op on routes without `:orgId`.
 */
export const pathOrgAgrees: RequestHandler = (req, _res, next) => {
  const header = req.ctx.tenant.orgId;
  const path = (req.params as Record<string, string | undefined>).orgId;
  if (header && path && header.toLowerCase() !== path.toLowerCase()) {
    throw new HttpProblem('TENANT_ORG_CONFLICT', { detail: 'The org in the path and X-Org-Id differ' });
  }
  next();
};

/** Auth `user`: a user JWT, or an API key acting as its creator. */
export const userOrKey = guard((p) => {
  if (p.type !== 'user' && p.type !== 'api_key') throw new HttpProblem('IDENTITY_USER_TOKEN_REQUIRED', { detail: 'This route needs a user token or API key' });
});

/** Auth `user-jwt`: a user JWT only (also via the session cookie). */
export const userJwt = guard((p) => {
  if (p.type !== 'user') throw new HttpProblem('IDENTITY_USER_TOKEN_REQUIRED', { detail: 'This route needs a user token' });
});

export const agentJwt = guard((p) => {
  if (p.type !== 'agent') throw new HttpProblem('IDENTITY_AGENT_TOKEN_REQUIRED', { detail: 'This route needs an agent token' });
});

/** `SA`: a super-admin user; API keys never carry super-admin power. */
export const superAdmin = guard((p) => {
  if (p.type !== 'user' || !p.isSuperAdmin) throw new HttpProblem('IDENTITY_SUPERADMIN_REQUIRED', { detail: 'Requires a super admin' });
});

/** `svc:<id>` with a scope, or any service when `serviceId` is omitted. */
export function serviceOnly(serviceId?: string): RequestHandler {
  return guard((p) => {
    if (p.type !== 'service' || (serviceId && p.serviceId !== serviceId)) {
      throw new HttpProblem('IDENTITY_SERVICE_ONLY', { detail: `Only the ${serviceId ?? 'platform'} service may call this route` });
    }
  });
}

/** The org an API key is bound to: it acts only there, so lists of the creator's orgs narrow to it. */
export function boundOrgId(req: Request): string | undefined {
  const p = requirePrincipal(req);
  return p.type === 'api_key' ? (p.boundOrgId ?? undefined) : undefined;
}

/** The user id behind a `user`-auth principal (the creator, for API keys). */
export function actingUserId(req: Request): string {
  const p = requirePrincipal(req);
  if (p.type !== 'user' && p.type !== 'api_key') throw new HttpProblem('IDENTITY_USER_TOKEN_REQUIRED');
  return p.id;
}
