import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICES } from '../packages/sys/src/index.js';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { prepareSecrets } from '../scripts/lib/secrets.mjs';
// @ts-expect-error plain ESM script without type declarations
import { SERVICE_TABLE } from '../scripts/lib/services.mjs';

describe('start scripts', () => {
  it('use the same service table as @symbia/sys', () => {
    const fromScripts = Object.fromEntries((SERVICE_TABLE as Array<{ id: string; port: number; tier: number }>).map((s) => [s.id, [s.port, s.tier]]));
    const fromSys = Object.fromEntries(Object.values(SERVICES).map((s) => [s.id, [s.defaultPort, s.tier]]));
    expect(fromScripts).toEqual(fromSys);
  });

  const dir = mkdtempSync(join(tmpdir(), 'symbia-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates missing secrets, keeps given ones, registers every service with identity, and reuses them from the data dir', () => {
    const given = `svc_${'ab'.repeat(32)}`;
    const env: Record<string, string> = { CURSOR_SECRET: 'operator-chosen', IDENTITY_SERVICE_SECRETS: `custom=${given}` };
    const generated = prepareSecrets(env, ['identity', 'network'], dir) as string[];
    expect(generated.sort()).toEqual(['API_KEY_PEPPER', 'CREDENTIAL_ENCRYPTION_KEY', 'IDENTITY_SERVICE_SECRET', 'NETWORK_SERVICE_SECRET', 'PASSWORD_PEPPER', 'SESSION_SECRET']);
    expect(env.CURSOR_SECRET).toBe('operator-chosen');
    expect(env.NETWORK_SERVICE_SECRET).toMatch(/^svc_[0-9a-f]{64}$/);
    expect(Buffer.from(env.CREDENTIAL_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
    expect(env.IDENTITY_SERVICE_SECRETS!.split(',').sort()).toEqual([`custom=${given}`, `identity=${env.IDENTITY_SERVICE_SECRET}`, `network=${env.NETWORK_SERVICE_SECRET}`].sort());
    const file = join(dir, 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain('operator-chosen');

    const again: Record<string, string> = {};
    expect(prepareSecrets(again, ['identity', 'network'], dir)).toEqual(['CURSOR_SECRET']);
    expect(again.SESSION_SECRET).toBe(env.SESSION_SECRET);
    expect(again.NETWORK_SERVICE_SECRET).toBe(env.NETWORK_SERVICE_SECRET);
  });
});
