import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { HttpProblem, validationProblem, type ValidationIssue } from './errors.js';
import type { DataClass, Principal } from './context.js';

const uuid = z.uuid();
const SERVICE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ENV = /^[a-z0-9-]{1,32}$/;
const POLICY_REF = /^[A-Za-z0-9._/-]{1,128}$/;
const DATA_CLASSES: readonly DataClass[] = ['none', 'pii', 'phi', 'secret'];

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Parses the tenancy headers of outline §1.6 on every request. Which org the caller may use is
 * decided later (`selectOrg`), once the principal is known; here only the syntax is checked, and
 * a bad value is a 400 even on reads, so a typo never silently falls back to a default.
 */
export function parseTenancy(defaultEnv: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const issues: ValidationIssue[] = [];
    const bad = (path: string, message: string) => issues.push({ location: 'headers', path, message, code: 'invalid_format' });

    const orgId = header(req, 'x-org-id');
    if (orgId !== undefined && !uuid.safeParse(orgId).success) bad('x-org-id', 'must be a UUID');
    const serviceId = header(req, 'x-service-id');
    if (serviceId !== undefined && !SERVICE_ID.test(serviceId)) bad('x-service-id', 'must match ^[a-z0-9][a-z0-9._-]{0,63}$');
    const env = header(req, 'x-env') ?? header(req, 'x-environment');
    if (env !== undefined && !ENV.test(env)) bad('x-env', 'must match ^[a-z0-9-]{1,32}$');
    const rawClass = header(req, 'x-data-class');
    const dataClass = rawClass?.toLowerCase() as DataClass | undefined;
    if (dataClass !== undefined && !DATA_CLASSES.includes(dataClass)) bad('x-data-class', 'must be one of none, pii, phi, secret');
    const policyRef = header(req, 'x-policy-ref');
    if (policyRef !== undefined && !POLICY_REF.test(policyRef)) bad('x-policy-ref', 'must match ^[A-Za-z0-9._/-]{1,128}$');
    const onBehalfOf = header(req, 'x-on-behalf-of');
    if (onBehalfOf !== undefined && !uuid.safeParse(onBehalfOf).success) bad('x-on-behalf-of', 'must be a UUID');

    if (issues.length > 0) return next(validationProblem(issues, 'A tenancy header is malformed'));
    req.ctx.tenant = {
      orgId,
      serviceId,
      env: env ?? defaultEnv,
      dataClass: dataClass ?? 'none',
      policyRef: policyRef ?? 'policy/default',
      onBehalfOf,
    };
    next();
  };
}

export interface OrgSelectionHooks {
  /** Services may address any existing org; the verifier cannot know which exist. */
  orgExists?: (orgId: string) => Promise<boolean>;
  /** Super admins may cross into any org; each crossing is audited by the owning service. */
  onSuperAdminCrossing?: (req: Request, orgId: string) => void | Promise<void>;
}

/** Orgs a principal may act in without any special power (§1.6). */
export function memberOrgIds(principal: Principal): string[] {
  if (principal.type === 'api_key' && principal.boundOrgId) return [principal.boundOrgId];
  return principal.organizations.map((o) => o.id);
}

/**
 * Resolve the org of an org-scoped request: path org wins, header must agree, otherwise the only
 * org the principal has. Another tenant's org and a nonexistent one answer the same 403 so the
 * header cannot be used to probe which org ids exist.
 */
export async function selectOrg(req: Request, pathOrgId: string | undefined, hooks: OrgSelectionHooks = {}): Promise<string> {
  const principal = req.ctx.principal;
  if (!principal) throw new HttpProblem('AUTH_REQUIRED');
  const headerOrg = req.ctx.tenant.orgId;
  if (pathOrgId && headerOrg && pathOrgId !== headerOrg) {
    throw new HttpProblem('TENANT_ORG_CONFLICT', { detail: 'The org in the path and X-Org-Id differ' });
  }
  const wanted = pathOrgId ?? headerOrg;
  const own = memberOrgIds(principal);
  if (!wanted) {
    if (own.length === 1) return own[0]!;
    throw new HttpProblem('TENANT_ORG_REQUIRED', { detail: 'Send X-Org-Id to choose one of your organizations' });
  }
  if (own.includes(wanted)) return wanted;
  if (principal.type === 'service' || (principal.isSuperAdmin && principal.type === 'user')) {
    const exists = hooks.orgExists ? await hooks.orgExists(wanted) : true;
    if (exists) {
      if (principal.type === 'user') await hooks.onSuperAdminCrossing?.(req, wanted);
      return wanted;
    }
  }
  throw new HttpProblem('TENANT_ORG_FORBIDDEN', { detail: 'That organization is not one you may act in' });
}
