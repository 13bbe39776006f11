import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const hex = (n) => randomBytes(n).toString('hex');

/** Platform-wide secrets of outline §1.1 and how to make a fresh one. */
const SHARED = {
  SESSION_SECRET: () => randomBytes(48).toString('base64url'),
  API_KEY_PEPPER: () => hex(32),
  PASSWORD_PEPPER: () => hex(32),
  CURSOR_SECRET: () => hex(32),
  CREDENTIAL_ENCRYPTION_KEY: () => randomBytes(32).toString('base64'),
};

/**
 * Fill in every secret the embedded stack needs and is missing from `env`, so a newcomer needs no
 * configuration. With a data directory the generated values are kept there (mode 0600) and reused,
 * so tokens and encrypted credentials survive a restart. Returns the names newly generated (not those
 * reused from the data directory), never values.
 */
export function prepareSecrets(env, serviceIds, dataDir) {
  const file = dataDir ? join(dataDir, 'secrets.json') : undefined;
  const kept = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const generated = [];
  const take = (name, make) => {
    if (env[name]) return;
    if (kept[name]) {
      env[name] = kept[name];
      return;
    }
    env[name] = make();
    kept[name] = env[name];
    generated.push(name);
  };
  for (const [name, make] of Object.entries(SHARED)) take(name, make);
  for (const id of serviceIds) take(`${id.toUpperCase()}_SERVICE_SECRET`, () => `svc_${hex(32)}`);

  // Identity learns every started service's secret; entries the operator already gave are kept.
  const entries = new Map(
    (env.IDENTITY_SERVICE_SECRETS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  );
  for (const id of serviceIds) if (!entries.has(id)) entries.set(id, env[`${id.toUpperCase()}_SERVICE_SECRET`]);
  env.IDENTITY_SERVICE_SECRETS = [...entries].map(([k, v]) => `${k}=${v}`).join(',');

  if (file && generated.length > 0) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(kept, null, 2), { mode: 0o600 });
  }
  return generated;
}
