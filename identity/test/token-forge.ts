import jwt from 'jsonwebtoken';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Harness } from './harness.js';

/** Crafted JWTs for the tampering tests of §2.1: a forger either lacks the secret or bends the claims. */

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The claims identity itself would put in a user token, for `sub`. */
export function userClaims(h: Harness, sub: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds();
  return { iss: h.deps.config.jwt.issuer, aud: 'symbia', sub, type: 'user', jti: randomUUID(), iat, exp: iat + 3600, email: 'x@example.test', name: 'X', ...overrides };
}

/** Sign `claims` as given (no claim added or dropped), HS256 with identity's secret unless told otherwise. */
export function sign(
  h: Harness,
  claims: Record<string, unknown>,
  opts: { secret?: string; header?: Record<string, unknown>; algorithm?: jwt.Algorithm } = {},
): string {
  const algorithm = opts.algorithm ?? 'HS256';
  return jwt.sign(claims, opts.secret ?? h.deps.config.jwt.secret, {
    algorithm,
    header: { alg: algorithm, typ: 'JWT', ...opts.header } as jwt.JwtHeader,
    // Keep `iat` exactly as in `claims` (absent when the claims omit it).
    noTimestamp: !('iat' in claims),
  });
}

/** An unsigned token (`alg: none`), with and without the trailing dot. */
export function unsigned(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

/** The same signature over a different payload. */
export function withPayload(token: string, change: (claims: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${b64url(change(claims))}.${signature}`;
}

export function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, payload] = token.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}

export const otherSecret = () => randomBytes(32).toString('hex');
