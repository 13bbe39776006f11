import { SERVICES, type ServiceId } from './services.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** `IDENTITY`, `NETWORK`, … : the prefix of a service's own variables. */
export function envPrefix(service: ServiceId): string {
  return service.toUpperCase();
}

function readPort(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be an integer port between 0 and 65535`);
  }
  return port;
}

/** A service's listen port: `<SVC>_PORT`, then `PORT`, then the table's default. */
export function resolvePort(service: ServiceId, env: Env = process.env): number {
  const own = `${envPrefix(service)}_PORT`;
  return readPort(env[own], own) ?? readPort(env.PORT, 'PORT') ?? SERVICES[service].defaultPort;
}

/**
 * Where a peer service answers: `<SVC>_SERVICE_URL`, else loopback on its own port variable or
 * default. `PORT` is deliberately not consulted: it belongs to the calling process, not the peer.
 */
export function resolveServiceUrl(service: ServiceId, env: Env = process.env): string {
  const override = env[`${envPrefix(service)}_SERVICE_URL`];
  if (override && override.trim() !== '') return override.trim().replace(/\/+$/, '');
  const own = `${envPrefix(service)}_PORT`;
  const port = readPort(env[own], own) ?? SERVICES[service].defaultPort;
  return `http://127.0.0.1:${port}`;
}

/** The per-service variable first (`IDENTITY_X`), then the shared one (`X`). */
export function serviceEnv(service: ServiceId, name: string, env: Env = process.env): string | undefined {
  const own = env[`${envPrefix(service)}_${name}`];
  if (own !== undefined && own !== '') return own;
  const shared = env[name];
  return shared === '' ? undefined : shared;
}

export function envBool(raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`expected a boolean (true/false), got "${raw}"`);
}

export function envInt(raw: string | undefined, fallback: number, name = 'value'): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

export function envNumber(raw: string | undefined, fallback: number, name = 'value'): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got "${raw}"`);
  return n;
}

export function envList(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

export function isProduction(env: Env = process.env): boolean {
  return env.NODE_ENV === 'production';
}
