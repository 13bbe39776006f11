import { expect } from 'vitest';
import type { Response } from 'supertest';
import { actions, tableCounts, type Harness } from './harness.js';

/** Shared assertions and scenario helpers of the identity API suites. */

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });
export const apiKeyHeader = (key: string) => ({ 'x-api-key': key });

/** A problem+json answer with this status and code (and, when given, these extension members). */
export function expectProblem(res: Response, status: number, code: string, extra: Record<string, unknown> = {}): void {
  expect({ status: res.status, code: res.body?.code, body: res.body }).toMatchObject({ status, code, body: { status, code, ...extra } });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
}

/** Keys of an object, sorted: for "exactly these field names" assertions. */
export const fields = (o: Record<string, unknown>) => Object.keys(o).sort();

/** Run `fn` and check every identity table kept its row count (a failed request writes nothing). */
export async function writesNothing(h: Harness, fn: () => Promise<unknown>): Promise<void> {
  const before = await tableCounts(h);
  await fn();
  expect(await tableCounts(h)).toEqual(before);
}

/** Audit entries matching `where`, straight from the table (the API under test is not trusted here). */
export async function auditRows(h: Harness, where: { action?: string; resourceId?: string; orgId?: string } = {}) {
  const conds: string[] = [];
  const params: unknown[] = [];
  for (const [col, v] of [['action', where.action], ['resource_id', where.resourceId], ['org_id', where.orgId]] as const) {
    if (v === undefined) continue;
    params.push(v);
    conds.push(`${col} = $${params.length}`);
  }
  const res = await h.deps.database.query<Record<string, unknown>>(
    `SELECT * FROM identity.audit_logs ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY created_at, id`,
    params,
  );
  return res.rows;
}

/**
 * Walk every page of a list with `limit`, checking that pages are at most `limit` long and that
 * no item repeats; returns the ids in order.
 */
export async function walkPages(h: Harness, path: string, plural: string, headers: Record<string, string>, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res: Response = await h.http.get(url).set(headers);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body[plural] as Array<{ id: string }>;
    expect(items.length).toBeLessThanOrEqual(limit);
    ids.push(...items.map((i) => i.id));
    cursor = res.body.nextCursor;
    if (cursor === null) break;
    expect(typeof cursor).toBe('string');
  }
  expect(new Set(ids).size).toBe(ids.length);
  return ids;
}

/** Flip one character of the cursor's payload, keeping its signature. */
export function tamper(cursor: string): string {
  const i = Math.floor(cursor.indexOf('.') / 2);
  const c = cursor[i] === 'A' ? 'B' : 'A';
  return cursor.slice(0, i) + c + cursor.slice(i + 1);
}

/**
 * Scenario helpers on top of `actions(h)`: registering many users from one address would trip the
 * 10/hour register limit, so its window is started over before each registration.
 */
export function scenario(h: Harness) {
  const a = actions(h);
  let adminToken: string | undefined;
  let loggingToken: string | undefined;
  return {
    ...a,
    async register(opts: Parameters<typeof a.register>[0] = {}) {
      await h.resetRateLimits('identity.register.ip');
      return a.register(opts);
    },
    async orgAdmin() {
      const u = await this.register({ orgName: `Org ${a.unique()}` });
      return { ...u, orgId: u.user.organizations[0]!.id, slug: u.user.organizations[0]!.slug };
    },
    /** One super-admin login per suite (logins are limited to 30/min per address). */
    async admin(): Promise<string> {
      await h.resetRateLimits('identity.login.ip');
      adminToken ??= await a.adminToken();
      return adminToken;
    },
    async login(email: string, password: string): Promise<string> {
      await h.resetRateLimits('identity.login.ip');
      const res = await h.http.post('/api/auth/login').send({ email, password });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token;
    },
    /** Add a registered user to an org with a role, through the API. */
    async addMember(adminToken: string, orgId: string, role: 'admin' | 'member' | 'viewer') {
      const u = await this.register();
      const res = await h.http.post(`/api/orgs/${orgId}/members/invite`).set(auth(adminToken)).send({ email: u.email, role });
      if (res.status !== 201) throw new Error(`invite failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { ...u, memberId: res.body.id as string };
    },
    async agent(token: string, orgId: string, body: Record<string, unknown> = {}) {
      await h.resetRateLimits('identity.agents.user');
      const res = await h.http
        .post('/api/auth/agent/register')
        .set(auth(token))
        .send({ agentId: `agent-${a.unique()}`, name: 'Test Agent', orgId, ...body });
      if (res.status !== 201) throw new Error(`agent register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { agent: { id: string; agentId: string; orgId: string }; token: string; credential?: string };
    },
    async key(token: string, body: Record<string, unknown> = {}) {
      await h.resetRateLimits('identity.keys.user');
      return a.apiKey(token, body);
    },
    async introspect(token: string) {
      if (!loggingToken) {
        await h.resetRateLimits('identity.login.ip');
        loggingToken = await a.serviceToken('logging');
      }
      const svc = loggingToken;
      const res = await h.http.post('/api/auth/introspect').set(auth(svc)).send({ token });
      expect(res.status).toBe(200);
      return res.body as Record<string, unknown> & { active: boolean };
    },
  };
}
