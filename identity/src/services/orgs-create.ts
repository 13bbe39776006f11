import { HttpProblem } from '@symbia/http';
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/client.js';
import { findPlanByName, insertMembership, insertOrg, slugsLike, type OrgRow } from '../db/repos/orgs.repo.js';

/** `My Team!` → `my-team`; empty results fall back to `org`, long ones are cut to the 48-char limit. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug.length >= 3 ? slug : `${slug || 'org'}-org`.slice(0, 40);
}

/** The first free slug among `base`, `base-2`, `base-3`… */
export async function freeSlug(db: Db, base: string): Promise<string> {
  const taken = new Set(await slugsLike(db, base));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** Create an org on the default plan with `adminUserId` as its first admin, inside the caller's transaction. */
export async function createOrgWithAdmin(db: Db, input: { name: string; slug: string; adminUserId: string; defaultPlan: string }): Promise<OrgRow> {
  const plan = await findPlanByName(db, input.defaultPlan);
  let org: OrgRow;
  try {
    org = await insertOrg(db, { name: input.name, slug: input.slug, planId: plan?.id ?? null });
  } catch (err) {
    if (isUniqueViolation(err)) throw new HttpProblem('IDENTITY_ORG_SLUG_TAKEN', { detail: `The slug "${input.slug}" is taken` });
    throw err;
  }
  await insertMembership(db, { orgId: org.id, userId: input.adminUserId, role: 'admin' });
  return org;
}
