import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntrospectionCache } from './auth-cache.js';
import { HttpProblem } from './errors.js';
import { createIntrospectionVerifier, principalFromIntrospection } from './introspection.js';

const ACTIVE = {
  active: true,
  type: 'user',
  sub: 'u-1',
  jti: 'j-1',
  email: 'a@example.test',
  isSuperAdmin: false,
  organizations: [{ id: 'o-1', name: 'A', slug: 'a', role: 'member', capabilities: ['cap:catalog.read'] }],
  entitlements: [],
  roles: [],
};

/** A local server speaking identity's introspection contract; counts calls and can go down. */
let server: Server;
let url = '';
let calls = 0;
let lastAuth: string | undefined;
beforeAll(async () => {
  server = createServer((req, res) => {
    calls++;
    lastAuth = req.headers.authorization;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { token } = JSON.parse(body) as { token: string };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(token === 'good' ? ACTIVE : { active: false }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('principalFromIntrospection', () => {
  it('maps active answers and refuses inactive or unknown types', () => {
    expect(principalFromIntrospection(ACTIVE)).toMatchObject({ type: 'user', id: 'u-1', organizations: [{ id: 'o-1', capabilities: ['cap:catalog.read'] }] });
    expect(principalFromIntrospection({ active: false })).toBeNull();
    expect(principalFromIntrospection({ active: true, type: 'root' })).toBeNull();
    expect(principalFromIntrospection({ active: true, type: 'api_key', sub: 'u', scope: 'catalog:read logging:*', keyId: 'k', orgId: 'o' })).toMatchObject({
      scopes: ['catalog:read', 'logging:*'],
      keyId: 'k',
      boundOrgId: 'o',
    });
  });
});

describe('introspection verifier', () => {
  it('authenticates itself, caches active answers and shares one call for concurrent requests', async () => {
    calls = 0;
    const v = createIntrospectionVerifier({ identityUrl: url, getServiceToken: async () => 'svc-token' });
    const results = await Promise.all([1, 2, 3].map(() => v.verify({ kind: 'bearer', value: 'good' })));
    expect(results.every((p) => p?.id === 'u-1')).toBe(true);
    expect(calls).toBe(1);
    expect(lastAuth).toBe('Bearer svc-token');
    await v.verify({ kind: 'bearer', value: 'good' });
    expect(calls).toBe(1);
    expect(await v.verify({ kind: 'bearer', value: 'bad' })).toBeNull();
    expect(calls).toBe(2);
  });

  it('answers DEPENDENCY_UNAVAILABLE when identity is unreachable and nothing is cached', async () => {
    const v = createIntrospectionVerifier({ identityUrl: 'http://127.0.0.1:1', getServiceToken: async () => 't', timeoutMs: 500 });
    const err = await v.verify({ kind: 'bearer', value: 'good' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpProblem);
    expect((err as HttpProblem).code).toBe('DEPENDENCY_UNAVAILABLE');
    expect((err as HttpProblem).headers['Retry-After']).toBe('5');
  });
});

describe('introspection cache', () => {
  it('keeps active answers 30 s and inactive ones 5 s, and never serves an expired entry', () => {
    let now = 0;
    const cache = new IntrospectionCache(100, () => now);
    const p = principalFromIntrospection(ACTIVE);
    cache.set('a', p, { jti: 'j-1' });
    cache.set('i', null);
    now = 4_999;
    expect(cache.get('i')).toEqual({ principal: null });
    now = 5_000;
    expect(cache.get('i')).toBeUndefined();
    now = 29_999;
    expect(cache.get('a')?.principal?.id).toBe('u-1');
    now = 30_000;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts on the identity revocation events', () => {
    const cache = new IntrospectionCache();
    const p = principalFromIntrospection(ACTIVE)!;
    const key = principalFromIntrospection({ ...ACTIVE, type: 'api_key', keyId: 'k-9', jti: undefined })!;
    cache.set('t', p, { jti: 'j-1' });
    cache.set('k', key, { keyId: 'k-9' });
    expect(cache.handleEvent('identity.token.revoked', { jti: 'other' })).toBe(0);
    expect(cache.handleEvent('identity.token.revoked', { jti: 'j-1' })).toBe(1);
    expect(cache.handleEvent('identity.key.revoked', { keyId: 'k-9' })).toBe(1);
    cache.set('t', p, { jti: 'j-1' });
    expect(cache.handleEvent('identity.membership.changed', { orgId: 'o-1', userId: 'u-1', role: null })).toBe(1);
    cache.set('t', p, { jti: 'j-1' });
    expect(cache.handleEvent('identity.user.sessionsRevoked', { userId: 'u-1' })).toBe(1);
    expect(cache.size).toBe(0);
  });

  it('stays bounded', () => {
    const cache = new IntrospectionCache(3);
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, null);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')).toBeDefined();
  });
});
