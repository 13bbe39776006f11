import { describe, expect, it } from 'vitest';
import { loadIdentityConfig } from './config.js';

const SECRETS = {
  SESSION_SECRET: 's'.repeat(40),
  API_KEY_PEPPER: 'a'.repeat(20),
  PASSWORD_PEPPER: 'p'.repeat(20),
  CURSOR_SECRET: 'c'.repeat(20),
  CREDENTIAL_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

describe('identity configuration', () => {
  it('refuses to start in production without its secrets, naming every missing one', () => {
    try {
      loadIdentityConfig({ NODE_ENV: 'production' });
      expect.unreachable();
    } catch (err) {
      const message = (err as Error).message;
      for (const name of Object.keys(SECRETS)) expect(message).toContain(name);
    }
  });

  it('generates missing secrets outside production and says which', () => {
    const config = loadIdentityConfig({});
    expect(config.generatedSecrets.sort()).toEqual(Object.keys(SECRETS).sort());
    expect(config.credentialKey).toHaveLength(32);
  });

  it('rejects short, reused or malformed secrets without echoing them', () => {
    const cases: Array<Record<string, string>> = [
      { ...SECRETS, NODE_ENV: 'production', SESSION_SECRET: 'too-short-secret-value' },
      { ...SECRETS, NODE_ENV: 'production', CURSOR_SECRET: SECRETS.API_KEY_PEPPER },
      { ...SECRETS, NODE_ENV: 'production', IDENTITY_SERVICE_SECRETS: 'logging=not-a-secret-value' },
      { ...SECRETS, NODE_ENV: 'production', CREDENTIAL_ENCRYPTION_KEY: 'c2hvcnQ=' },
    ];
    for (const env of cases) {
      let message = '';
      try {
        loadIdentityConfig(env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/invalid configuration/);
      for (const value of ['too-short-secret-value', SECRETS.API_KEY_PEPPER, 'not-a-secret-value', 'c2hvcnQ=']) expect(message).not.toContain(value);
    }
  });

  it('reads service secrets, limits and modes', () => {
    const config = loadIdentityConfig({
      ...SECRETS,
      IDENTITY_SERVICE_SECRETS: `logging=svc_${'ab'.repeat(32)}, network=svc_${'cd'.repeat(32)}`,
      IDENTITY_RATE_LIMIT_LOGIN_IP: '5',
      IDENTITY_REGISTRATION: 'closed',
    });
    expect(config.serviceSecrets.map((s) => s.serviceId)).toEqual(['logging', 'network']);
    expect(config.rateLimits.loginIp).toBe(5);
    expect(config.registrationOpen).toBe(false);
    expect(config.generatedSecrets).toEqual([]);
  });
});
